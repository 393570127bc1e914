"""``ProjectResource.tools()`` is built once per resource (one request), and the
project home page and its side nav show the same tools and links as before."""
import re

import pytest
from pyramid.testing import DummyRequest
from pyramid.traversal import find_resource

from forge.actions.projects import install_tool
from forge.actions.roles import role_named
from forge.model.acl import with_privacy
from forge.resources.neighborhood import Family
from forge.resources.root import SiteRoot


@pytest.fixture
def demo(registry, make_user, make_project):
    ada = make_user("ada")
    make_user("outsider")
    demo = make_project("demo", ada, title="Demo")
    install_tool(registry, demo, "notes", "notes", ada, label="Team Notes")
    install_tool(registry, demo, "notes", "more", ada, label="More Notes")
    hidden = install_tool(registry, demo, "notes", "hidden", ada, label="Hidden Notes")
    hidden.acl = with_privacy(hidden.acl, True, [role_named(demo, "Developer").principal])
    hidden.query.session.flush()
    make_project("sub", ada, parent=demo, title="Sub")
    return demo


def project_node(registry, path="/p/demo"):
    request = DummyRequest()
    request.registry = registry
    return find_resource(SiteRoot(request), path)


def nav_hrefs(html):
    start = html.index('id="project-nav"')
    nav = html[start:html.index("</nav>", start)]
    return re.findall(r'<a href="([^"]+)"( aria-current="page")?>', nav)


@pytest.fixture
def tool_builds(monkeypatch):
    calls = []
    original = Family.stored_tools_of

    def counted(self, project_doc):
        calls.append(project_doc.shortname)
        return original(self, project_doc)
    monkeypatch.setattr(Family, "stored_tools_of", counted)
    return calls


def test_the_home_page_builds_the_tools_once(forge_browser, demo, tool_builds):
    forge_browser.login("ada")
    page = forge_browser.get("/p/demo/")
    assert "Hidden Notes" in page.text      # the list and the nav both show them
    assert tool_builds == ["demo"]


def test_tools_are_one_shared_tuple_per_resource(registry, demo):
    project = project_node(registry)
    tools = project.tools()
    assert isinstance(tools, tuple)         # shared by every caller: nobody may change it
    assert project.tools() is tools
    assert [t.__name__ for t in tools] == ["notes", "more", "hidden"]
    # another request's resource builds its own
    assert project_node(registry).tools() is not tools


def test_tools_are_made_again_around_built_tool_documents(registry, demo):
    project = project_node(registry)
    stored = project.tools()
    built = project.tool_docs()             # Ming objects, to change
    tools = project.tools()
    assert tools is not stored
    assert [t._doc for t in tools] == built
    assert project.tools() is tools


def test_the_side_nav_links_what_it_linked_before(forge_browser, demo):
    forge_browser.login("ada")
    home = "http://localhost/p/demo/"
    assert nav_hrefs(forge_browser.get("/p/demo/").text) == [
        (home, ' aria-current="page"'), (home + "notes/", ""), (home + "more/", ""),
        (home + "hidden/", "")] + [
        (home + view, "") for view in ("@@edit", "@@tools", "@@roles", "@@permissions",
                                       "@@webhooks", "@@export", "@@manage")]
    sub = nav_hrefs(forge_browser.get("/p/demo/sub/").text)
    assert sub[0] == (home + "sub/", ' aria-current="page"')
    forge_browser.login("outsider")
    assert nav_hrefs(forge_browser.get("/p/demo/").text) == [
        (home, ' aria-current="page"'), (home + "notes/", ""), (home + "more/", "")]


def test_the_home_page_asks_admin_once(forge_browser, demo, monkeypatch):
    """The view's answer serves the side nav's admin links too."""
    import forge.security
    asked = []
    original = forge.security.permits

    def counted(context, principals, permission, *args):
        if permission == "admin":
            asked.append(context.__name__)
        return original(context, principals, permission, *args)
    monkeypatch.setattr(forge.security, "permits", counted)
    forge_browser.login("ada")
    assert "@@manage" in forge_browser.get("/p/demo/").text
    assert asked == ["demo"]


def test_other_project_pages_ask_the_nav_admin_question_themselves(forge_browser, demo):
    forge_browser.login("ada")
    hrefs = [href for href, _ in nav_hrefs(forge_browser.get("/p/demo/@@edit").text)]
    assert "http://localhost/p/demo/@@manage" in hrefs
    forge_browser.login("outsider")
    hrefs = [href for href, _ in nav_hrefs(forge_browser.get("/p/demo/sub/").text)]
    assert not any("@@" in href for href in hrefs)
