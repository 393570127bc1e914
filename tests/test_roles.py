"""The roles and members page (``@@roles``) and what roles grant."""
from html import unescape

import pytest

from forge.actions.projects import create_own_roles
from forge.actions.roles import add_member, role_named, roles_project
from forge.model import ChangeLogEntry, Project, ProjectRole, User


def project(shortname):
    return Project.query.get(shortname=shortname)


def role(shortname, name):
    return ProjectRole.query.get(project_id=project(shortname)._id, name=name)


def holders(shortname, name):
    return sorted(User.query.get(_id=uid).username for uid in role(shortname, name).user_ids)


def logged(shortname, action):
    return ChangeLogEntry.query.find({"project_id": project(shortname)._id,
                                  "action": action}).all()


PEOPLE = ("ada", "bob", "cy")


def build_demo(app):
    """ada, bob and cy, and ada's project "demo": built once per configured app
    (``fresh_app(world=)``) and put back before each test."""
    from forge.actions.projects import create_project
    from forge.actions.users import create_user
    from forge.model import Neighborhood
    from forge.testing import PASSWORD
    people = {name: create_user(app.registry, name, "%s@example.test" % name, PASSWORD)
              for name in PEOPLE}
    create_project(app.registry, Neighborhood.query.get(name="p"), "demo", "Demo",
                   people["ada"])


@pytest.fixture
def forge_app(forge_settings):
    from forge.testing_apps import fresh_app
    return fresh_app(forge_settings, world=build_demo)


@pytest.fixture
def people(forge_app):
    return {name: User.by_username(name) for name in PEOPLE}


@pytest.fixture
def demo(people):
    return project("demo")


@pytest.fixture
def admin(forge_browser, demo):
    forge_browser.login("ada")
    return forge_browser


def post(browser, fields, status=302, url="/p/demo/@@roles"):
    return browser.post_form(url, fields, status=status)


def test_roles_page_lists_roles_and_members(admin):
    page = admin.get("/p/demo/@@roles")
    for name in ("Admin", "Developer", "Member"):
        assert 'id="role-%s"' % name.lower() in page.text
    admin_row = page.text[page.text.index('id="role-admin"'):page.text.index('id="role-developer"')]
    assert "Developer, Member" in admin_row and "/u/ada/@@profile" in admin_row


def test_add_and_remove_a_member(admin):
    post(admin, {"action": "add-member", "username": "bob", "role_id": role("demo", "Developer")._id})
    assert holders("demo", "Developer") == ["bob"]
    assert "bob now has the role Developer." in admin.get("/p/demo/@@roles").text
    home = admin.get("/p/demo/").text
    assert "/u/bob/@@profile" in home[home.index('id="member-list"'):]
    response = post(admin, {"action": "add-member", "username": "bob",
                            "role_id": role("demo", "Developer")._id}, status=400)
    assert "already has the role" in unescape(response.text)
    post(admin, {"action": "remove-member", "username": "bob",
                 "role_id": role("demo", "Developer")._id})
    assert holders("demo", "Developer") == []
    assert len(logged("demo", "role.add-member")) == 1
    assert len(logged("demo", "role.remove-member")) == 1


@pytest.mark.parametrize("fields,message", [
    ({"username": "nobody"}, "There is no user 'nobody'"),
    ({"username": ""}, "Name the user to add"),
    ({"username": "bob", "role_id": "not-a-role"}, "There is no such role here"),
])
def test_add_member_errors_are_400(admin, fields, message):
    fields = dict({"action": "add-member", "role_id": role("demo", "Member")._id}, **fields)
    response = post(admin, fields, status=400)
    assert message in unescape(response.text)
    assert holders("demo", "Member") == []
    assert 'value="%s"' % fields["username"] in response.text


def test_the_last_admin_cannot_be_removed(admin, registry, people, demo):
    response = post(admin, {"action": "remove-member", "username": "ada",
                            "role_id": role("demo", "Admin")._id}, status=400)
    assert "ada is the last admin of this project" in response.text
    assert holders("demo", "Admin") == ["ada"]
    # with a second admin, the first may step down
    post(admin, {"action": "add-member", "username": "bob", "role_id": role("demo", "Admin")._id})
    post(admin, {"action": "remove-member", "username": "ada",
                 "role_id": role("demo", "Admin")._id})
    assert holders("demo", "Admin") == ["bob"]
    admin.get("/p/demo/@@roles", status=403)


def test_custom_role_including_member_reads_a_private_project(
        forge_browser, registry, people, make_project):
    make_project("hush", people["ada"], private=True, title="Hush")
    forge_browser.login("cy")
    forge_browser.get("/p/hush/", status=404)
    forge_browser.logout()

    forge_browser.login("ada")
    post(forge_browser, {"action": "create-role", "name": "Reviewer",
                         "includes": [role("hush", "Member")._id]}, url="/p/hush/@@roles")
    reviewer = role("hush", "Reviewer")
    assert reviewer.includes == [role("hush", "Member")._id]
    assert reviewer.implied_ids == [role("hush", "Member")._id]
    page = forge_browser.get("/p/hush/@@roles").text
    assert 'id="role-reviewer"' in page
    post(forge_browser, {"action": "add-member", "username": "cy", "role_id": reviewer._id},
         url="/p/hush/@@roles")
    forge_browser.logout()

    forge_browser.login("cy")
    assert "Hush" in forge_browser.get("/p/hush/").text
    assert "Hush" in forge_browser.get("/").text
    forge_browser.get("/p/hush/@@edit", status=403)      # Member's read, not more
    forge_browser.logout()

    forge_browser.login("ada")
    post(forge_browser, {"action": "delete-role", "role_id": reviewer._id},
         url="/p/hush/@@roles")
    assert role("hush", "Reviewer") is None
    assert [e.action for e in logged("hush", "role.create")] == ["role.create"]
    assert [e.action for e in logged("hush", "role.delete")] == ["role.delete"]
    forge_browser.logout()
    forge_browser.login("cy")
    forge_browser.get("/p/hush/", status=404)


@pytest.mark.parametrize("fields,message", [
    ({"name": ""}, "A role name is 1-40 characters"),
    ({"name": "x" * 41}, "A role name is 1-40 characters"),
    ({"name": "<b>"}, "A role name is 1-40 characters"),
    ({"name": "member"}, "There is already a role named"),
    ({"name": "Ok", "includes": "bogus"}, "Unknown role to include"),
])
def test_create_role_errors_are_400(admin, fields, message):
    before = ProjectRole.query.find().count()
    response = post(admin, dict(fields, action="create-role"), status=400)
    assert message in unescape(response.text)
    assert ProjectRole.query.find().count() == before


def test_builtin_roles_cannot_be_deleted(admin):
    response = post(admin, {"action": "delete-role", "role_id": role("demo", "Member")._id},
                    status=400)
    assert "built-in roles cannot be deleted" in response.text
    assert role("demo", "Member") is not None


def test_subproject_uses_its_parents_roles_until_it_gets_its_own(
        admin, registry, people, demo, make_project):
    make_project("docs", people["ada"], parent=demo, title="Docs")
    page = admin.get("/p/demo/docs/@@roles")
    assert 'id="inherited-roles"' in page.text
    assert 'href="http://localhost/p/demo/@@roles"' in page.text
    assert 'name="action" value="add-member"' not in page.text
    # changing the parent's roles from the subproject page is refused
    response = post(admin, {"action": "add-member", "username": "bob",
                            "role_id": role("demo", "Member")._id},
                    url="/p/demo/docs/@@roles", status=400)
    assert "uses the roles of Demo" in response.text
    assert holders("demo", "Member") == []

    post(admin, {"action": "own-roles"}, url="/p/demo/docs/@@roles")
    docs = project("demo/docs")
    assert roles_project(docs)._id == docs._id
    assert holders("demo/docs", "Admin") == ["ada"]
    principals = [(e["access"], e["principal"], e["permission"]) for e in docs.acl]
    assert ("allow", role("demo/docs", "Admin").principal, "*") in principals
    assert ("allow", role("demo/docs", "Member").principal, "read") in principals
    assert logged("demo/docs", "role.create-own")
    page = admin.get("/p/demo/docs/@@roles")
    assert 'id="inherited-roles"' not in page.text
    response = post(admin, {"action": "own-roles"}, url="/p/demo/docs/@@roles", status=400)
    assert "already has its own roles" in response.text


def test_own_roles_keep_a_private_subproject_private(registry, people, demo, make_project):
    secret = make_project("secret", people["ada"], parent=demo, private=True)
    create_own_roles(registry, secret, people["bob"])
    acl = project("demo/secret").acl
    assert acl[-1] == {"access": "deny", "principal": "system.Everyone", "permission": "read"}
    assert {"access": "allow", "principal": role("demo/secret", "Member").principal,
            "permission": "read"} in acl
    # the parent's members still read it
    assert {"access": "allow", "principal": role("demo", "Member").principal,
            "permission": "read"} in acl


def test_own_roles_grant_their_holders(forge_browser, registry, people, demo, make_project):
    secret = make_project("secret", people["ada"], parent=demo, private=True)
    create_own_roles(registry, secret, people["ada"])
    add_member(registry, secret, role_named(secret, "Developer"), people["cy"], people["ada"])
    forge_browser.login("cy")
    forge_browser.get("/p/demo/secret/", status=200)
    forge_browser.get("/p/demo/secret/@@edit", status=200)
    forge_browser.get("/p/demo/secret/@@roles", status=403)
    # and the parent's page lists the subproject to them
    assert "Secret" in forge_browser.get("/p/demo/").text


@pytest.mark.parametrize("who", ["bob", "cy"])
def test_non_admins_get_403(forge_browser, registry, people, demo, who):
    if who == "bob":
        add_member(registry, demo, role_named(demo, "Developer"), people["bob"], people["ada"])
    forge_browser.login(who)
    forge_browser.get("/p/demo/@@roles", status=403)
    post(forge_browser, {"action": "add-member", "username": who,
                         "role_id": role("demo", "Admin")._id}, status=403)
    assert holders("demo", "Admin") == ["ada"]
