"""The tools admin page (``@@tools``): install, rename, reorder, uninstall."""
from html import unescape
from types import SimpleNamespace

import pytest
from pyramid.traversal import find_resource

from forge.actions.projects import install_tool
from forge.actions.roles import add_member, role_named
from forge.actions.versions import create_versioned
from forge.model import Artifact, ChangeLogEntry, Project, ToolInstance
from forge.resources import SiteRoot


@pytest.fixture
def demo(registry, make_user, make_project):
    ada = make_user("ada")
    return make_project("demo", ada, title="Demo")


@pytest.fixture
def admin_browser(forge_browser, demo):
    forge_browser.login("ada")
    return forge_browser


def tools():
    project_id = Project.query.get(shortname="demo")._id
    return [(t.mount, t.label) for t in ToolInstance.query.find(
        {"project_id": project_id}).sort([("position", 1), ("mount", 1)])]


def audit_actions():
    project_id = Project.query.get(shortname="demo")._id
    return [e.action for e in ChangeLogEntry.query.find({"project_id": project_id})]


def post(browser, fields, status=302):
    return browser.post_form("/p/demo/@@tools", fields, status=status)


def test_install_lists_and_links_the_tool(admin_browser):
    page = admin_browser.get("/p/demo/@@tools")
    assert 'value="notes"' in page.text          # the tool type select
    post(admin_browser, {"action": "install", "tool": "notes", "mount": "journal",
                         "label": "Journal"})
    assert tools() == [("journal", "Journal")]
    assert "tool.install" in audit_actions()
    page = admin_browser.get("/p/demo/@@tools")
    assert 'id="tool-journal"' in page.text and "Installed Journal at journal." in page.text
    home = admin_browser.get("/p/demo/")
    assert 'href="http://localhost/p/demo/journal/"' in home.text
    assert admin_browser.get("/p/demo/journal/").status_int == 200


def test_each_tool_links_its_own_admin_pages(admin_browser):
    post(admin_browser, {"action": "install", "tool": "notes", "mount": "journal",
                         "label": "Journal"})
    row = admin_browser.get("/p/demo/@@tools").html.select_one("#tool-journal")
    links = {a.get_text(): a["href"] for a in row.select(".tool-pages a")}
    assert links == {"Permissions": "http://localhost/p/demo/journal/@@permissions",
                     "Webhooks": "http://localhost/p/demo/journal/@@webhooks"}
    for url in links.values():
        assert admin_browser.get(url).status_int == 200


def test_install_defaults_mount_and_label(admin_browser):
    post(admin_browser, {"action": "install", "tool": "notes", "mount": "", "label": ""})
    assert tools() == [("notes", "Notes")]


@pytest.mark.parametrize("fields,message", [
    ({"tool": "nope", "mount": "x"}, "There is no tool named"),
    ({"tool": "notes", "mount": "Bad Mount"}, "only lowercase letters"),
    ({"tool": "notes", "mount": "m" * 300}, "at most 63 characters"),
    ({"tool": "notes", "mount": "@@edit"}, "may not start with '@@'"),
    ({"tool": "notes", "mount": "taken"}, "is taken"),
    ({"tool": "notes", "mount": "sub"}, "name of a subproject"),
])
def test_install_errors_are_400(registry, admin_browser, demo, make_project, fields, message):
    from forge.model import User
    owner = User.by_username("ada")
    install_tool(registry, demo, "notes", "taken", owner)
    make_project("sub", owner, parent=demo)
    before = tools()
    response = post(admin_browser, dict(fields, action="install"), status=400)
    assert message in unescape(response.text)
    assert 'id="tools-error"' in response.text
    assert tools() == before


def test_rename_moves_the_tool_url(registry, admin_browser, demo):
    from forge.model import User
    from tools.notes.model import Note
    ada = User.by_username("ada")
    tool = install_tool(registry, demo, "notes", "notes", ada)
    create_versioned(registry, Note, ada, path="page", title="A Page", text="hello",
                     project_id=demo._id, tool_id=tool._id, acl=[])
    post(admin_browser, {"action": "update", "mount": "notes", "new_mount": "wiki",
                         "label": "Team Wiki"})
    assert tools() == [("wiki", "Team Wiki")]
    admin_browser.get("/p/demo/notes/", status=404)
    page = admin_browser.get("/p/demo/wiki/")
    assert page.status_int == 200
    assert admin_browser.get("/p/demo/wiki/page/").status_int == 200
    entry = ChangeLogEntry.query.get(project_id=demo._id, action="tool.update")
    assert entry.detail["changes"]["mount"] == ["notes", "wiki"]
    # traversal finds the same tool under its new name
    root = SiteRoot(SimpleNamespace(registry=registry))
    assert find_resource(root, "/p/demo/wiki").doc._id == tool._id
    with pytest.raises(KeyError):
        find_resource(root, "/p/demo/notes")


def test_rename_errors_change_nothing(registry, admin_browser, demo):
    from forge.model import User
    ada = User.by_username("ada")
    install_tool(registry, demo, "notes", "one", ada, label="One")
    install_tool(registry, demo, "notes", "two", ada, label="Two")
    before = tools()
    for fields, message in (
            ({"new_mount": "two", "label": "One"}, "is taken"),
            ({"new_mount": "Bad!", "label": "One"}, "only lowercase letters"),
            ({"new_mount": "uno", "label": ""}, "A title is required"),
            ({"new_mount": "uno", "label": "x" * 300}, "at most 200 characters")):
        response = post(admin_browser, dict(fields, action="update", mount="one"), status=400)
        assert message in unescape(response.text)
        assert tools() == before
    response = post(admin_browser, {"action": "update", "mount": "gone", "new_mount": "x",
                                    "label": "X"}, status=400)
    assert "There is no tool at" in response.text


def test_reorder_with_up_and_down(registry, admin_browser, demo):
    from forge.model import User
    ada = User.by_username("ada")
    for mount in ("a", "b", "c"):
        install_tool(registry, demo, "notes", mount, ada, label=mount.upper())
    post(admin_browser, {"action": "move", "mount": "c", "direction": "up"})
    assert [m for m, _ in tools()] == ["a", "c", "b"]
    post(admin_browser, {"action": "move", "mount": "a", "direction": "down"})
    assert [m for m, _ in tools()] == ["c", "a", "b"]
    response = post(admin_browser, {"action": "move", "mount": "c", "direction": "up"},
                    status=400)
    assert "already at that end" in response.text
    assert [m for m, _ in tools()] == ["c", "a", "b"]
    assert "tool.reorder" in audit_actions()
    # the side nav follows the order
    home = admin_browser.get("/p/demo/").text
    nav = home[home.index('id="project-nav"'):]
    assert nav.index("/p/demo/c/") < nav.index("/p/demo/a/") < nav.index("/p/demo/b/")
    # a tool installed after moves goes last
    post(admin_browser, {"action": "install", "tool": "notes", "mount": "d", "label": "D"})
    assert [m for m, _ in tools()] == ["c", "a", "b", "d"]


def test_uninstall_needs_the_typed_mount(registry, admin_browser, demo):
    from forge.model import User
    from tools.notes.model import Note
    ada = User.by_username("ada")
    tool = install_tool(registry, demo, "notes", "notes", ada, label="Team Notes")
    create_versioned(registry, Note, ada, path="page", title="A Page", text="hello",
                     project_id=demo._id, tool_id=tool._id, acl=[])
    step = post(admin_browser, {"action": "uninstall", "mount": "notes"}, status=200)
    assert 'id="uninstall-confirm"' in step.text and 'name="confirm"' in step.text
    assert tools() == [("notes", "Team Notes")]
    wrong = post(admin_browser, {"action": "uninstall", "mount": "notes", "confirm": "yes"},
                 status=400)
    assert "Type the mount point" in unescape(wrong.text)
    assert tools() == [("notes", "Team Notes")]
    post(admin_browser, {"action": "uninstall", "mount": "notes", "confirm": "notes"})
    assert tools() == []
    assert Artifact.query.find({"tool_id": tool._id}).count() == 0
    assert "tool.uninstall" in audit_actions()
    admin_browser.get("/p/demo/notes/", status=404)


def test_unknown_action_is_400(admin_browser):
    response = post(admin_browser, {"action": "explode"}, status=400)
    assert "Unknown action" in unescape(response.text)


@pytest.mark.parametrize("role", ["Member", "Developer"])
def test_non_admins_get_403(registry, forge_browser, demo, make_user, role):
    from forge.model import User
    ada = User.by_username("ada")
    install_tool(registry, demo, "notes", "notes", ada)
    person = make_user("person")
    add_member(registry, demo, role_named(demo, role), person, ada)
    forge_browser.login("person")
    forge_browser.get("/p/demo/@@tools", status=403)
    for fields in ({"action": "install", "tool": "notes", "mount": "more"},
                   {"action": "uninstall", "mount": "notes", "confirm": "notes"},
                   {"action": "update", "mount": "notes", "new_mount": "x", "label": "X"}):
        forge_browser.post_form("/p/demo/@@tools", fields, status=403)
    assert tools() == [("notes", "Notes")]


def test_outsider_gets_404_on_private_project_tools(forge_browser, registry, make_user,
                                                     make_project):
    ada = make_user("ada")
    make_project("hush", ada, private=True)
    make_user("outsider")
    forge_browser.login("outsider")
    forge_browser.get("/p/hush/@@tools", status=404)
