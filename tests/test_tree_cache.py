"""The tree cache: fewer reads per page, and never a stale tree."""
import pytest

from forge.actions.acl import add_entry
from forge.actions.projects import install_tool
from forge.model import Project, session
from forge.testing import count_queries


@pytest.fixture
def demo(registry, make_user, make_project):
    ada = make_user("ada")
    bob = make_user("bob")
    project = make_project("demo", ada, title="Demo Project")
    install_tool(registry, project, "notes", "notes", ada)
    return ada, bob


def reads(browser, url, status=200):
    with count_queries() as found:
        browser.get(url, status=status)
    return len(found)


MISSING_NOTE = "/p/demo/notes/no-such-note/"


def test_warm_resolution_reads_only_the_site_config_and_the_artifacts(forge_browser, demo):
    # resolving a URL down to an artifact: the site config (which carries the
    # generations); site, neighborhood, projects, tools, the user and their
    # roles come from the tree cache, the artifact family from the generation
    # store (forge.resources.tool.stored_artifacts)
    forge_browser.get(MISSING_NOTE, status=404)
    assert reads(forge_browser, MISSING_NOTE, status=404) == 1
    forge_browser.login("bob")
    forge_browser.get(MISSING_NOTE, status=404)
    # signed in: the session record is kept too while nothing is written
    # (forge.model.web_session.KeptRecords); the header's count of unread in-app
    # notifications on a site that sends no mail (as here) is kept per the
    # session's generation (forge.notifications.in_app)
    assert reads(forge_browser, MISSING_NOTE, status=404) == 1


def test_a_change_is_seen_by_the_next_request(forge_browser, demo, registry):
    forge_browser.get("/p/demo/")
    project = Project.query.get(shortname="demo")
    project.title = "Renamed Directly"
    session.flush()          # as another process would: only the database changes
    session.close()
    assert "Renamed Directly" in forge_browser.get("/p/demo/").text


def test_a_revoked_read_takes_effect_at_once(forge_browser, demo, registry):
    ada, bob = demo
    forge_browser.login("bob")
    assert forge_browser.get("/p/demo/notes/").status_int == 200
    from pyramid.testing import DummyRequest
    from pyramid.traversal import find_resource
    from forge.resources import SiteRoot
    request = DummyRequest()
    request.registry = registry
    node = find_resource(SiteRoot(request), "/p/demo/")
    add_entry(registry, node, "deny", "bob", "read", ada)
    session.close()
    assert forge_browser.get("/p/demo/notes/", status=404).status_int == 404


def test_changes_made_in_a_request_show_in_that_request_and_the_next(forge_browser, demo):
    forge_browser.login("ada")
    forge_browser.get("/p/demo/")
    page = forge_browser.post_form("/p/demo/@@edit", {
        "title": "Edited Title", "description": "new words"}).follow()
    assert "Edited Title" in page.text
    assert "Edited Title" in forge_browser.get("/").text
