"""@@changes: a page learns what others changed since it was drawn, counted by
the one visibility rule, never the reader's own changes."""
import re

import pytest

from forge.actions.projects import install_tool
from forge.actions.roles import add_member, role_named
from forge.model import session
from forge.testing import forge_test_settings
from tools.notes.actions import create_note, update_note

FIELDS = {"text": "hello", "labels": [], "custom": {}, "ext": {}}


@pytest.fixture
def forge_settings():
    return forge_test_settings(**{"forge.live.poll_seconds": "7"})


@pytest.fixture
def world(registry, make_user, make_project):
    ada, bob = make_user("ada"), make_user("bob")
    make_user("eve")                  # signed in, no member
    project = make_project("demo", ada, title="Demo")
    add_member(registry, project, role_named(project, "Developer"), bob, ada)
    tool = install_tool(registry, project, "notes", "notes", ada)
    other = install_tool(registry, project, "notes", "jottings", ada)
    plan = create_note(registry, project, tool, None, "plan", dict(FIELDS, title="Plan"), ada)
    session.close()
    return {"ada": ada, "bob": bob, "project": project, "tool": tool, "other": other,
            "plan": plan}


def live_url(page_text):
    url = re.search(r'data-live-url="([^"]+)"', page_text)
    assert url, "the page carries no live attributes"
    return url.group(1).replace("http://localhost", "")


def cursor(browser, url):
    """What live.js asks when the page loads: a cursor, no changes."""
    answer = browser.get(url).json
    assert answer["changes"] == 0 and answer["people"] == []
    return answer["after"]


def test_pages_in_a_project_carry_their_node(forge_browser, world):
    forge_browser.login("ada")
    page = forge_browser.get("/p/demo/notes/plan/").text
    assert live_url(page) == "/p/demo/notes/plan/@@changes"
    assert 'data-live-seconds="7"' in page
    assert live_url(forge_browser.get("/p/demo/notes/").text) == "/p/demo/notes/@@changes"
    assert "data-live-url" not in forge_browser.get("/").text        # no project
    assert "data-live-url" not in forge_browser.get("/p/demo/nothing-here", status=404).text


def test_cursors_are_opaque_and_never_the_same(forge_browser, world):
    """A number would count the project's events, private ones too; a stable
    token would say whether any happened."""
    first, second = (cursor(forge_browser, "/p/demo/@@changes") for _ in range(2))
    assert first != second and not first.isdigit()
    assert forge_browser.get("/p/demo/@@changes", params={"after": first}).json["after"] \
        not in (first, second)


def test_others_changes_count_and_my_own_do_not(forge_browser, registry, world):
    forge_browser.login("ada")
    url = live_url(forge_browser.get("/p/demo/notes/plan/").text)
    after = cursor(forge_browser, url)
    assert forge_browser.get(url, params={"after": after}).json["changes"] == 0
    plan = world["plan"]
    update_note(registry, plan, plan.version, dict(FIELDS, title="Plan", text="mine"),
                world["ada"])
    session.close()
    mine = forge_browser.get(url, params={"after": after}).json
    assert mine["changes"] == 0
    from tools.notes.model import Note
    plan = Note.query.get(_id=plan._id)
    update_note(registry, plan, plan.version, dict(FIELDS, title="Plan", text="bob's"),
                world["bob"])
    session.close()
    answer = forge_browser.get(url, params={"after": mine["after"]}).json
    assert answer == {"after": answer["after"], "changes": 1, "people": ["bob"]}
    assert forge_browser.get(url, params={"after": answer["after"]}).json["changes"] == 0


def test_a_page_counts_only_what_it_shows(forge_browser, registry, world):
    forge_browser.login("ada")
    after = cursor(forge_browser, "/p/demo/@@changes")
    create_note(registry, world["project"], world["other"], None, "elsewhere",
                dict(FIELDS, title="Elsewhere"), world["bob"])
    create_note(registry, world["project"], world["tool"], None, "sibling",
                dict(FIELDS, title="Sibling"), world["bob"])
    session.close()
    get = lambda url: forge_browser.get(url, params={"after": after}).json["changes"]
    assert get("/p/demo/notes/plan/@@changes") == 0          # neither is this note
    assert get("/p/demo/notes/@@changes") == 1               # the sibling
    assert get("/p/demo/jottings/@@changes") == 1            # the other tool's note
    assert get("/p/demo/@@changes") == 2


@pytest.mark.parametrize("who", [None, "eve"])
def test_private_changes_are_not_counted_for_who_cannot_read_them(
        forge_browser, registry, world, who):
    if who:
        forge_browser.login(who)
    after = cursor(forge_browser, "/p/demo/notes/@@changes")
    create_note(registry, world["project"], world["tool"], None, "secret",
                dict(FIELDS, title="Secret"), world["bob"], private=True)
    session.close()
    answer = forge_browser.get("/p/demo/notes/@@changes", params={"after": after}).json
    assert answer["changes"] == 0 and answer["people"] == []


def test_a_bad_cursor_is_a_400(forge_browser, world):
    good = cursor(forge_browser, "/p/demo/@@changes")
    for bad in ("x", "-1", "1" * 30, good[:-2] + ("AA" if good[-2:] != "AA" else "BB"),
                "é" * 10):
        response = forge_browser.get("/p/demo/@@changes", params={"after": bad}, status=400)
        assert "cursor" in response.text


def test_polling_is_off_at_zero(forge_browser, registry, world, monkeypatch):
    monkeypatch.setitem(registry.settings, "forge.live.poll_seconds", "0")
    assert "data-live-url" not in forge_browser.get("/p/demo/notes/plan/").text
