"""The sign-up honeypot and challenge hook (``forge.signup_guards``) and the
per-user rate limits on posting and on creating projects (``forge.rate_limits``)."""
import pytest
from pyramid.testing import DummyRequest
from pyramid.traversal import find_resource

from forge.discussion.actions import add_post
from forge.model import Project, User, session
from forge.resources import SiteRoot
from forge.testing import PASSWORD, ForgeBrowser, forge_test_settings


@pytest.fixture
def forge_settings():
    return forge_test_settings(**{
        "forge.tools": "tools.wiki tests.fixture_plugins.signup_riddle",
        "forge.limits.posts_per_window": "2", "forge.limits.posts_window_seconds": "60",
        "forge.limits.projects_per_window": "1"})


def signup_fields(username, **extra):
    return dict({"username": username, "email": "%s@example.test" % username,
                 "display_name": "", "password": PASSWORD, "password_confirm": PASSWORD,
                 "riddle": "4"}, **extra)


def test_a_filled_honeypot_looks_accepted_and_makes_no_account(forge_app):
    browser = ForgeBrowser(forge_app)
    form = browser.get("/@@signup").html
    trap = form.find("input", {"name": "website"})
    assert trap is not None and trap["tabindex"] == "-1"
    assert trap.find_parent("div")["aria-hidden"] == "true"
    response = browser.post_form("/@@signup", signup_fields(
        "botty", website="http://spam.test"), status=302)
    assert "Welcome" in response.follow().text
    assert User.by_username("botty") is None
    browser.post_form("/@@signup", signup_fields("person"), status=302)
    assert User.by_username("person") is not None


def test_the_challenge_hook_refuses_and_keeps_what_was_typed(forge_app):
    browser = ForgeBrowser(forge_app)
    assert 'id="riddle"' in browser.get("/@@signup").text
    refused = browser.post_form("/@@signup", signup_fields("carol", riddle="5"), status=400)
    assert "not the answer" in refused.text and 'value="carol"' in refused.text
    assert User.by_username("carol") is None


def node(registry, url):
    session.clear()
    request = DummyRequest()
    request.registry = registry
    return find_resource(SiteRoot(request), url)


def test_posting_is_limited_per_user_for_people_outside_the_project(
        forge_app, make_user, make_project, install_tool, registry):
    from tools.wiki.actions import create_page
    ada = make_user("ada")
    make_user("stranger")
    project = make_project("pub", ada)
    wiki = install_tool(project, "wiki", "wiki")
    create_page(registry, project, wiki, "Home", "Home", "Welcome", ada)
    session.close()
    stranger = ForgeBrowser(forge_app)
    stranger.login("stranger")
    for n in range(2):
        stranger.post_form("/p/pub/wiki/Home/@@post", {"text": "Comment %d" % n}, status=302)
    refused = stranger.post_form("/p/pub/wiki/Home/@@post", {"text": "One more"}, status=429)
    assert "too fast" in refused.text and "One more" in refused.text
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    # the project's own people are not limited
    for n in range(3):
        add_post(registry, node(registry, "/p/pub/wiki/Home/"), "Ada %d" % n, ada,
                 may_skip_moderation=True)


def test_creating_projects_is_limited_per_user(forge_app, make_user):
    make_user("ada")
    root = make_user("root", site_admin=True)
    ada = ForgeBrowser(forge_app)
    ada.login("ada")
    ada.post_form("/p/@@create", {"shortname": "one", "title": "One"}, status=302)
    refused = ada.post_form("/p/@@create", {"shortname": "two", "title": "Two"},
                            status=429)
    assert "creating projects too fast" in refused.text
    assert int(refused.headers["Retry-After"]) > 0
    assert Project.query.get(shortname="two") is None
    # a subproject of one's own project is not limited, nor is a site admin
    ada.post_form("/p/one/@@create-subproject", {"shortname": "sub", "title": "Sub"}, status=302)
    assert root.site_admin
    admin = ForgeBrowser(forge_app)
    admin.login("root")
    for name in ("three", "four"):
        admin.post_form("/p/@@create", {"shortname": name, "title": name}, status=302)
