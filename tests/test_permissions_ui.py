"""The @@permissions page of every node, and @@history's audit part, through the browser.

People: ada administers /p/demo, bob is a member, carol has no role.  The page
at /p/demo/notes/page is a test ``Page`` (see test_versions); its
``@@history`` needs only ``read``, so it serves to observe read access.
"""
import re

import pytest

from forge.actions.projects import install_tool
from forge.actions.roles import add_member, role_named
from forge.actions.versions import create_versioned
from forge.model import Artifact, Project, ToolInstance, session
from forge.model.acl import ace, user_principal
from forge.testing import ForgeBrowser, signed_in_cookies

from .test_versions import Page

PAGE = "/p/demo/notes/page/"
TOOL = "/p/demo/notes/"
PROJECT = "/p/demo/"


PEOPLE = ("ada", "bob", "carol", "root")


def build_world(app):
    """ada's demo (bob a member, carol no role, root a site admin) with a notes
    tool and its page, each person signed in: built once per configured app
    (``fresh_app(world=)``) and put back before each test.  Returns each
    person's cookies."""
    from forge.actions.projects import create_project
    from forge.actions.users import create_user
    from forge.model import Neighborhood
    from forge.testing import PASSWORD
    registry = app.registry
    people = {name: create_user(registry, name, "%s@example.test" % name, PASSWORD,
                                site_admin=(name == "root")) for name in PEOPLE}
    ada = people["ada"]
    project = create_project(registry, Neighborhood.query.get(name="p"), "demo", "Demo", ada)
    add_member(registry, project, role_named(project, "Member"), people["bob"], ada)
    tool = install_tool(registry, project, "notes", "notes", ada)
    create_versioned(registry, Page, ada, path="page", title="A page", text="x",
                     project_id=project._id, tool_id=tool._id, acl=[])
    session.flush()
    session.close()
    return signed_in_cookies(app, PEOPLE)


@pytest.fixture
def forge_app(forge_settings):
    from forge.testing_apps import fresh_app
    return fresh_app(forge_settings, world=build_world)


@pytest.fixture
def world(forge_app):
    from forge.model import User
    people = {name: User.by_username(name) for name in PEOPLE}
    session.close()
    return people


class Browsers(dict):
    """A browser per person, signed in (with the cookies of the world's sign-in:
    signing in hashes a password, which is slow on purpose); ``None`` is an
    anonymous visitor."""

    def __init__(self, app):
        from forge.testing_apps import world_value
        super().__init__()
        self.app = app
        self.cookies = world_value(app, build_world)

    def __missing__(self, name):
        browser = self[name] = ForgeBrowser(self.app)
        if name:
            for cookie, value in self.cookies[name].items():
                browser.set_cookie(cookie, value)
            browser._user = name      # signed in (its csrf() reads the account page)
        return browser


@pytest.fixture
def browsers(forge_app, world):
    return Browsers(forge_app)


def stored_acl(url):
    session.clear()
    if url == PAGE:
        return list(Artifact.query.get(path="page").acl)
    if url == TOOL:
        return list(ToolInstance.query.get(mount="notes").acl)
    return list(Project.query.get(shortname="demo").acl)


def add(browser, url, status=302, **fields):
    data = {"op": "add", "access": "allow", "principal": "", "username": "",
            "permission": "read"}
    data.update(fields)
    return browser.post_form(url + "@@permissions", data, status=status)


def remove(browser, url, entry, status=302):
    index = stored_acl(url).index(entry)
    fields = dict(entry, op="remove", index=str(index))
    return browser.post_form(url + "@@permissions", fields, status=status)


def read_status(browser, url=PAGE):
    return browser.get(url + "@@history", status="*").status_int


@pytest.mark.parametrize("url", [PROJECT, TOOL, PAGE])
def test_deny_read_hides_the_page_from_one_user_only(world, browsers, url):
    ada = browsers["ada"]
    assert read_status(browsers["carol"]) == 200
    add(ada, url, access="deny", username="carol", permission="read")
    assert read_status(browsers["carol"]) == 404
    assert read_status(browsers["bob"]) == 200
    assert read_status(browsers[None]) == 200
    remove(ada, url, ace("deny", user_principal(world["carol"]._id), "read"))
    assert read_status(browsers["carol"]) == 200


@pytest.mark.parametrize("url", [PROJECT, TOOL, PAGE])
def test_allow_update_lets_a_user_revert(world, browsers, url):
    carol = browsers["carol"]
    revert = {"version": "1", "edited_version": "1"}
    carol.post_form(PAGE + "@@revert", revert, status=403)
    add(browsers["ada"], url, access="allow", username="carol", permission="update")
    # reverting to the current version changes nothing but is allowed
    carol.post_form(PAGE + "@@revert", revert, status=302)
    add(browsers["ada"], PAGE, access="deny", username="carol", permission="update")
    carol.post_form(PAGE + "@@revert", revert, status=403)


def test_role_entries_from_the_select(world, browsers):
    member = role_named(Project.query.get(shortname="demo"), "Member").principal
    revert = {"version": "1", "edited_version": "1"}
    browsers["bob"].post_form(PAGE + "@@revert", revert, status=403)
    add(browsers["ada"], PAGE, access="allow", principal=member, permission="update")
    browsers["bob"].post_form(PAGE + "@@revert", revert, status=302)
    browsers["carol"].post_form(PAGE + "@@revert", revert, status=403)
    # Admin includes Member: denying members read would shut the admins out too
    response = add(browsers["ada"], PAGE, status=400, access="deny", principal=member)
    assert "lock every project admin out" in response.text
    assert read_status(browsers["bob"]) == 200
    # a principal that is not offered (here a made-up role) is refused
    response = add(browsers["ada"], PAGE, status=400, principal="role:forged")
    assert "Choose a role" in response.text


def test_unknown_permission_is_400_and_changes_nothing(world, browsers):
    before = stored_acl(TOOL)
    response = add(browsers["ada"], TOOL, status=400, username="bob", permission="fly")
    assert "Unknown permission &#39;fly&#39;" in response.text
    assert 'id="acl-error"' in response.text
    assert 'value="bob"' in response.text           # the form keeps the input
    assert stored_acl(TOOL) == before


def test_unknown_user_is_400(world, browsers):
    before = stored_acl(PAGE)
    response = add(browsers["ada"], PAGE, status=400, username="nobody")
    assert "nobody" in response.text and stored_acl(PAGE) == before


def test_locking_out_the_admins_is_400_and_changes_nothing(world, browsers):
    before = stored_acl(PROJECT)
    admin = role_named(Project.query.get(shortname="demo"), "Admin").principal
    response = remove(browsers["ada"], PROJECT, ace("allow", admin, "*"), status=400)
    assert "lock every project admin out" in response.text
    assert stored_acl(PROJECT) == before
    assert browsers["ada"].get(PROJECT + "@@permissions").status_int == 200


def test_stale_remove_is_refused(world, browsers):
    before = stored_acl(PROJECT)
    fields = dict(before[0], op="remove", index="1")
    response = browsers["ada"].post_form(PROJECT + "@@permissions", fields, status=400)
    assert "may have changed" in response.text and stored_acl(PROJECT) == before
    browsers["ada"].post_form(PROJECT + "@@permissions", {"op": "explode"}, status=400)


def test_changes_appear_in_history(world, browsers):
    ada = browsers["ada"]
    add(ada, TOOL, access="deny", username="carol", permission="read")
    remove(ada, TOOL, ace("deny", user_principal(world["carol"]._id), "read"))
    add(browsers["root"], TOOL, access="allow", principal="system.Authenticated",
        permission="create")
    html = ada.get(TOOL + "@@history").text
    rows = re.findall(r"<tr><td>[^<]*UTC</td><td>(\w+)</td><td>([^<]*)</td></tr>", html)
    assert rows == [("root", "allow Signed-in users create"),
                    ("ada", "removed deny carol read"),
                    ("ada", "deny carol read")]
    # the project's log has the tool installation
    assert "installed Notes at notes" in ada.get(PROJECT + "@@history").text


@pytest.mark.parametrize("url", ["/", "/p/", PROJECT, TOOL, PAGE])
def test_permission_pages_need_admin(world, browsers, url):
    assert browsers["bob"].get(url + "@@permissions", status="*").status_int == 403
    assert browsers["root"].get(url + "@@permissions").status_int == 200
    expected_ada = 403 if url in ("/", "/p/") else 200
    assert browsers["ada"].get(url + "@@permissions", status="*").status_int == expected_ada
    assert browsers[None].get(url + "@@permissions", status="*").status_int == 302


def test_history_of_non_versioned_nodes_needs_admin(world, browsers):
    assert browsers["bob"].get(TOOL + "@@history", status="*").status_int == 403
    assert browsers["bob"].get(PROJECT + "@@history", status="*").status_int == 403
    assert browsers["root"].get("/@@history").status_int == 200


def test_unreadable_node_answers_404(world, browsers):
    add(browsers["ada"], TOOL, access="deny", username="carol", permission="read")
    carol = browsers["carol"]
    for url in (TOOL, PAGE):
        for view in ("@@permissions", "@@history"):
            assert carol.get(url + view, status="*").status_int == 404
    assert carol.get(PAGE + "@@diff?from=1&to=1", status="*").status_int == 404


def acl_rows(html):
    """(who, permission, source) of each row of the effective ACL table."""
    table = html.split('id="acl-table"')[1].split("</table>")[0]
    rows = []
    for row in table.split("<tr class=")[1:]:
        cells = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", c)).strip()
                 for c in re.findall(r"<td>(.*?)</td>", row, re.S)]
        rows.append((cells[1], cells[2], cells[3]))
    return rows


def test_effective_acl_lists_inherited_entries_with_source(world, browsers):
    add(browsers["ada"], PAGE, access="deny", username="carol", permission="update")
    html = browsers["ada"].get(PAGE + "@@permissions").text
    assert acl_rows(html) == [
        ("carol", "update", "local"),
        ("Member (demo)", "create", "inherited from Notes (tool)"),
        ("Admin (demo)", "all (*)", "inherited from Demo (project)"),
        ("Developer (demo)", "create", "inherited from Demo (project)"),
        ("Developer (demo)", "update", "inherited from Demo (project)"),
        ("Developer (demo)", "delete", "inherited from Demo (project)"),
        ("Member (demo)", "read", "inherited from Demo (project)"),
        ("Everyone", "read", "inherited from Demo (project)"),
        ("Signed-in users", "create_project", "inherited from Projects (neighborhood)"),
        ("Everyone", "read", "inherited from PyForge (site)"),
    ]
    # ancestors link to their own permission pages where the viewer may go
    assert '<a href="http://localhost/p/demo/notes/@@permissions">Notes</a>' in html
    assert '<a href="http://localhost/p/@@permissions">' not in html
    html = browsers["root"].get(PAGE + "@@permissions").text
    assert '<a href="http://localhost/p/@@permissions">Projects</a>' in html


def test_privacy_switch_on_tool_and_artifact(world, browsers):
    ada = browsers["ada"]
    ada.post_form(TOOL + "@@permissions", {"op": "privacy", "private": "1"}, status=302)
    assert read_status(browsers["bob"]) == 200
    assert read_status(browsers["carol"]) == 404
    assert read_status(browsers[None]) == 404
    ada.post_form(TOOL + "@@permissions", {"op": "privacy", "private": "0"}, status=302)
    assert read_status(browsers["carol"]) == 200
    admin = role_named(Project.query.get(shortname="demo"), "Admin").principal
    ada.post_form(PAGE + "@@permissions", {"op": "privacy", "private": "1", "reader": admin,
                                           "reader_names": "carol"}, status=302)
    assert read_status(browsers["carol"]) == 200
    assert read_status(browsers["bob"]) == 404
    assert read_status(browsers["ada"]) == 200
    html = ada.get(PAGE + "@@permissions").text
    assert "badge private" in html and "Make public" in html
    response = ada.post_form(PAGE + "@@permissions", {"op": "privacy", "private": "1"},
                             status=400)
    assert "already private" in response.text


def check_text(html):
    from bs4 import BeautifulSoup
    result = BeautifulSoup(html, "html.parser").select_one("#check-result")
    return " ".join(t for t in result.find_all(string=True, recursive=True)
                    if t.strip() and t.parent.name != "a").replace("  ", " ").strip()


def test_check_access_names_the_deciding_entry(world, browsers):
    ada = browsers["ada"]
    add(ada, PAGE, access="deny", username="carol", permission="update")
    html = ada.get(PAGE + "@@permissions",
                   params={"check_user": "carol", "check_permission": "update"}).text
    result = check_text(html)
    assert result == ("Denied. carol may not update here: an entry on this artifact "
                      "denies carol update.")
    html = ada.get(PAGE + "@@permissions",
                   params={"check_user": "ada", "check_permission": "update"}).text
    assert check_text(html) == ("Allowed. ada may update here: an entry on the project "
                                "“Demo” allows the role Admin (demo) everything.")
    html = ada.get(PAGE + "@@permissions",
                   params={"check_user": "carol", "check_permission": "delete"}).text
    assert check_text(html) == ("Denied. carol may not delete here: no entry allows delete "
                                "to them or to a role they hold, and what is not allowed is "
                                "denied.")
    response = ada.get(PAGE + "@@permissions", status=400,
                       params={"check_user": "nobody", "check_permission": "read"})
    assert "There is no user" in response.text


# -- the roles-first summary -------------------------------------------------------

def matrix(browser, url):
    """{row label: {permission: allowed}} of the page's role matrix."""
    table = browser.get(url + "@@permissions").html.select_one("#role-matrix")
    names = [th.get_text(strip=True) for th in table.select("thead th")][1:]
    return {row.th.get_text(strip=True): dict(zip(names, (td["class"] == ["yes"]
                                                          for td in row.select("td"))))
            for row in table.select("tbody tr")}


def test_role_matrix_says_who_may_do_what_with_inheritance(browsers):
    tool = matrix(browsers["ada"], TOOL)
    assert set(tool["Everyone (not signed in)"]) == {"read", "create", "update", "delete",
                                                      "admin"}
    assert tool["Everyone (not signed in)"]["read"] and not tool["Everyone (not signed in)"]["create"]
    admin = next(label for label in tool if label.startswith("Admin"))
    member = next(label for label in tool if label.startswith("Member"))
    assert all(tool[admin].values())           # Admin includes Developer and Member
    assert tool[member]["create"] and not tool[member]["admin"]


def test_role_matrix_follows_inheritance_and_the_read_rule(browsers):
    browsers["ada"].post_form(PROJECT + "@@permissions", {"op": "privacy", "private": "1"},
                              status=302)
    tool = matrix(browsers["ada"], TOOL)
    # nobody without a role reads the private project, so nothing below either,
    # though the tool's own entries still grant "read" to everyone
    assert not any(tool["Everyone (not signed in)"].values())
    assert not any(tool["Signed-in users"].values())
    member = next(label for label in tool if label.startswith("Member"))
    assert tool[member]["read"] and tool[member]["create"]


def test_permissions_are_explained_in_words(browsers):
    page = browsers["ada"].get(TOOL + "@@permissions").html
    help_text = page.select_one("#permission-help").get_text(" ")
    assert "Create new items" in help_text and "Manage permissions" in help_text
    # the raw entries are still there, as the advanced section
    assert page.select_one("details#advanced-acl #acl-table") is not None


def test_a_tool_explains_its_own_permissions(browsers, registry):
    from forge.permission_help import permission_help
    tool_type = registry.forge_tools["notes"]
    node = type("Node", (), {"tool_type": tool_type.__class__(
        name="t", title="T", permission_help=(("create", "Write a note."),))})()
    assert permission_help(node, "create") == "Write a note."
    assert permission_help(node, "read").startswith("See it")


def test_a_project_names_each_permission_once(browsers):
    table = browsers["ada"].get(PROJECT + "@@permissions").html.select_one("#role-matrix")
    names = [th.get_text(strip=True) for th in table.select("thead th")][1:]
    assert len(names) == len(set(names)) and "read" in names and "push" in names
