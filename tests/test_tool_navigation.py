"""The project's tool tabs on pages inside a tool (forge.views.tool_navigation)."""
import re

import pytest
from pyramid.testing import DummyRequest
from pyramid.traversal import find_resource

from forge.actions.acl import add_entry
from forge.actions.projects import install_tool
from forge.model import session
from forge.resources import SiteRoot
from forge.security import can
from forge.testing import count_queries
from forge.views.tool_navigation import tool_tabs


@pytest.fixture
def demo(registry, make_user, make_project):
    ada = make_user("ada")
    make_user("bob")
    project = make_project("demo", ada, title="Demo Project")
    install_tool(registry, project, "notes", "notes", ada, label="Notes")
    install_tool(registry, project, "notes", "secret", ada, label="Secret notes")
    install_tool(registry, project, "notes", "more", ada, label="More notes")
    request = DummyRequest()
    request.registry = registry
    add_entry(registry, find_resource(SiteRoot(request), "/p/demo/secret/"),
              "deny", "bob", "read", ada)
    session.close()
    return ada


def tabs_of(html):
    nav = re.search(r'<nav class="tool-tabs".*?</nav>', html, re.S)
    if nav is None:
        return None
    return re.findall(r'<a href="[^"]*/p/demo/([\w-]+)/"( aria-current="page")?>([^<]*)</a>',
                      nav.group(0))


def test_tool_pages_show_the_readable_tools_and_mark_the_current_one(forge_browser, demo):
    forge_browser.login("bob")
    tabs = tabs_of(forge_browser.get("/p/demo/more/").text)
    assert [(mount, bool(current)) for mount, current, _ in tabs] == [
        ("notes", False), ("more", True)]          # "secret" is denied to bob
    forge_browser.login("ada")
    tabs = tabs_of(forge_browser.get("/p/demo/secret/").text)
    assert [(m, bool(c), title) for m, c, title in tabs] == [
        ("notes", False, "Notes"), ("secret", True, "Secret notes"), ("more", False, "More notes")]


def test_pages_outside_tools_have_no_tabs(forge_browser, demo):
    assert tabs_of(forge_browser.get("/p/demo/").text) is None
    assert tabs_of(forge_browser.get("/").text) is None
    # an error page under a tool names no tools (its context may be unreadable)
    assert tabs_of(forge_browser.get("/p/demo/notes/no-such-note/", status=404).text) is None


def test_the_tabs_cost_no_query(registry, demo):
    """Traversal loaded the project's tools (the family, from the tree cache);
    the tabs read nothing more."""
    request = DummyRequest()
    request.registry = registry
    request.principals = ["system.Everyone"]
    request.forge_url = lambda node, *elements: request.resource_url(node, *elements)
    request.context = find_resource(SiteRoot(request), "/p/demo/notes/")
    assert can(request.context, request.principals, "read")   # as the view's check does
    with count_queries() as reads:
        tabs = tool_tabs(request)
    assert reads == []
    assert [t.current for t in tabs] == [True, False, False]
