"""Atom feeds: content type, stable tag: ids, absolute links, public items
only without a token, a signed per-user token that sees what its user may
read and stops working when regenerated."""
import xml.etree.ElementTree as ET

import pytest

from forge.actions.projects import install_tool
from forge.actions.roles import add_member, role_named
from forge.feeds.tokens import feed_token_of
from forge.model import User, session
from forge.testing import browser, forge_test_settings
from tools.notes.actions import create_note

ATOM = "{http://www.w3.org/2005/Atom}"
FIELDS = {"text": "x", "labels": [], "custom": {}, "ext": {}}


@pytest.fixture
def forge_settings():
    return forge_test_settings(**{"forge.tools": "tools.notes",
                                  "forge.load_tool_entry_points": "false"})


@pytest.fixture
def site(registry, make_user, make_project, run_reactors):
    ada, dev = make_user("ada"), make_user("dev")
    make_user("outsider")
    project = make_project("demo", ada, title="Demo")
    add_member(registry, project, role_named(project, "Developer"), dev, ada)
    tool = install_tool(registry, project, "notes", "notes", ada)
    create_note(registry, project, tool, None, "open", dict(FIELDS, title="Open Plans"), ada)
    create_note(registry, project, tool, None, "secret", dict(FIELDS, title="Secret Plans"),
                ada, private=True)
    hidden = make_project("hidden", ada, private=True, title="Hidden Project")
    run_reactors()
    session.close()
    return {"ada": ada, "dev": dev, "project": project, "tool": tool, "hidden": hidden}


def parse(response):
    assert response.content_type == "application/atom+xml"
    return ET.fromstring(response.body)


def titles(feed):
    return [e.find(ATOM + "title").text for e in feed.iter(ATOM + "entry")]


def token(username, registry):
    return feed_token_of(registry, User.by_username(username))


def test_anonymous_project_feed_is_atom_with_public_items(forge_app, site):
    response = browser(forge_app).get("/p/demo/@@activity.atom")
    feed = parse(response)
    assert response.headers["Content-Type"].startswith("application/atom+xml")
    assert "Open Plans" in titles(feed) and "Secret Plans" not in response.text
    assert feed.find(ATOM + "id").text.startswith("tag:localhost,")
    assert feed.find(ATOM + "updated").text
    entry = next(feed.iter(ATOM + "entry"))
    assert entry.find(ATOM + "id").text.startswith("tag:localhost,2026:activity/")
    links = [e.find(ATOM + "link").get("href") for e in feed.iter(ATOM + "entry")]
    assert all(link.startswith("http://localhost/p/demo/") for link in links)
    assert entry.find(ATOM + "author/" + ATOM + "name").text == "ada"
    assert entry.find(ATOM + "updated").text


def test_entry_ids_are_stable_between_readers_and_requests(forge_app, registry, site):
    first = parse(browser(forge_app).get("/p/demo/@@activity.atom"))
    again = parse(browser(forge_app).get("/p/demo/@@activity.atom"))
    as_ada = parse(browser(forge_app).get("/p/demo/@@activity.atom",
                                          params={"token": token("ada", registry)}))
    ids = [e.find(ATOM + "id").text for e in first.iter(ATOM + "entry")]
    assert ids == [e.find(ATOM + "id").text for e in again.iter(ATOM + "entry")]
    assert set(ids) < {e.find(ATOM + "id").text for e in as_ada.iter(ATOM + "entry")}
    assert first.find(ATOM + "id").text == as_ada.find(ATOM + "id").text


def test_feeds_of_tool_artifact_and_person(forge_app, registry, site):
    anonymous = browser(forge_app)
    assert "Open Plans" in titles(parse(anonymous.get("/p/demo/notes/@@activity.atom")))
    assert titles(parse(anonymous.get("/p/demo/notes/open/@@activity.atom"))) == ["Open Plans"]
    person = parse(anonymous.get("/u/ada/@@contributions.atom"))
    assert "Open Plans" in titles(person) and "Secret Plans" not in titles(person)
    assert "Hidden Project" not in titles(person)


def test_a_token_reads_as_its_user(forge_app, registry, site):
    anonymous = browser(forge_app)
    for who in ("ada", "dev"):
        feed = parse(anonymous.get("/p/demo/@@activity.atom",
                                   params={"token": token(who, registry)}))
        assert "Secret Plans" in titles(feed)
    outsider = anonymous.get("/p/demo/@@activity.atom",
                             params={"token": token("outsider", registry)})
    assert "Secret Plans" not in outsider.text
    assert outsider.headers["Cache-Control"] == "private, no-store"
    anonymous.get("/p/hidden/@@activity.atom", status=404)
    anonymous.get("/p/hidden/@@activity.atom", status=404,
                  params={"token": token("outsider", registry)})
    anonymous.get("/p/demo/notes/secret/@@activity.atom", status=404)
    hidden = parse(anonymous.get("/p/hidden/@@activity.atom",
                                 params={"token": token("ada", registry)}))
    assert "Hidden Project" in titles(hidden)
    self_link = [link.get("href") for link in hidden.findall(ATOM + "link")
                 if link.get("rel") == "self"]
    assert self_link == ["http://localhost/p/hidden/@@activity.atom?token=%s"
                         % token("ada", registry)]


def test_a_forged_token_is_refused(forge_app, registry, site):
    ada = User.by_username("ada")
    for bad in ("nonsense", ada._id + ".0000", token("outsider", registry).split(".")[1],
                "%s.%s" % (ada._id, token("dev", registry).split(".")[1])):
        response = browser(forge_app).get("/p/demo/@@activity.atom", params={"token": bad},
                                          status=403)
        assert "not valid" in response.text and "Secret" not in response.text


def test_the_account_page_shows_the_token_and_a_new_one_revokes_the_old(
        forge_app, registry, site):
    ada = browser(forge_app, "ada")
    page = ada.get("/@@account")
    old = page.html.find(id="feed-token")["value"]
    assert old == token("ada", registry)
    assert page.html.find(id="my-feed")["href"].endswith("/u/ada/@@contributions.atom?token=" + old)
    page = ada.post_form("/@@feed-token", status=302).follow()
    new = page.html.find(id="feed-token")["value"]
    assert new != old and "feed token is new" in page.text
    anonymous = browser(forge_app)
    anonymous.get("/p/demo/@@activity.atom", params={"token": old}, status=403)
    assert "Secret Plans" in anonymous.get("/p/demo/@@activity.atom",
                                           params={"token": new}).text


def test_a_disabled_users_token_stops_working(forge_app, registry, site):
    old = token("dev", registry)
    dev = User.by_username("dev")
    dev.disabled = True
    session.flush()
    session.close()
    browser(forge_app).get("/p/demo/@@activity.atom", params={"token": old}, status=403)


def test_regenerating_needs_a_signed_in_user_and_csrf(forge_app, site):
    anonymous = browser(forge_app)
    anonymous.post("/@@feed-token", status=(302, 400, 403))
    ada = browser(forge_app, "ada")
    ada.post("/@@feed-token", status=400)        # no CSRF token


def test_base_url_setting_makes_links_absolute_on_it(registry, forge_app, site):
    registry.settings["forge.base_url"] = "https://forge.example.org/"
    try:
        feed = parse(browser(forge_app).get("/p/demo/@@activity.atom"))
    finally:
        registry.settings.pop("forge.base_url")
    assert feed.find(ATOM + "id").text.startswith("tag:forge.example.org,2026:")
    links = [e.find(ATOM + "link").get("href") for e in feed.iter(ATOM + "entry")]
    assert links and all(link.startswith("https://forge.example.org/p/demo/")
                         for link in links)


def test_pages_announce_their_feeds(forge_app, site):
    page = browser(forge_app).get("/p/demo/@@activity").text
    assert ('<link rel="alternate" type="application/atom+xml" title="Activity · Demo" '
            'href="http://localhost/p/demo/@@activity.atom">') in page


def test_a_token_feed_is_never_kept_in_the_shared_page_cache(forge_app, registry, site):
    """A feed read with a token is computed for its user: the shared store
    must not keep it (under the token URL or any other key)."""
    from forge.page_cache import HEADER
    store = registry.forge_page_cache
    ada_token = token("ada", registry)
    reader = browser(forge_app)
    for _ in range(2):
        response = reader.get("/p/hidden/@@activity.atom", params={"token": ada_token})
        assert "Hidden Project" in response.text
        assert response.headers.get(HEADER) is None          # neither stored nor served
        assert not [key for key in store._pages if ada_token in key[0]]
    assert "private" in response.headers["Cache-Control"]
    reader.get("/p/hidden/@@activity.atom", status=404)      # anonymous: computed afresh


def test_a_revoked_token_is_refused_at_once_though_its_feed_was_read(forge_app, registry, site):
    from forge.feeds.tokens import regenerate_feed_token
    old = token("ada", registry)
    reader = browser(forge_app)
    assert "Secret Plans" in reader.get("/p/demo/@@activity.atom", params={"token": old}).text
    regenerate_feed_token(registry, User.by_username("ada"))
    session.close()
    response = reader.get("/p/demo/@@activity.atom", params={"token": old}, status=403)
    assert "Secret Plans" not in response.text
