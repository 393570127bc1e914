"""Editing a custom role after creation (``forge.actions.role_edits``, the
``edit-role`` form of ``@@roles``): its name and what it includes; never a
built-in role, never itself or a role that includes it."""
import pytest

from forge.actions.roles import add_member, create_role, role_named
from forge.model import ChangeLogEntry, Project, ProjectRole, session
from forge.testing import ForgeBrowser


@pytest.fixture
def demo(make_user, make_project, registry):
    ada = make_user("ada")
    bob = make_user("bob")
    project = make_project("demo", ada, title="Demo")
    member = role_named(project, "Member")
    triager = create_role(registry, project, "Triager", [member._id], ada)
    lead = create_role(registry, project, "Lead", [triager._id], ada)
    add_member(registry, project, lead, bob, ada)
    session.close()
    return {"triager": triager._id, "lead": lead._id}


def roles():
    session.close()
    project = Project.query.get(shortname="demo")
    return {r.name: r for r in ProjectRole.query.find({"project_id": project._id})}


def edit(forge_app, role_id, name, includes, status=302):
    browser = ForgeBrowser(forge_app)
    browser.login("ada")
    page = browser.get("/p/demo/@@roles")
    assert 'id="edit-role-%s"' % role_id in page.text
    version = Project.query.get(shortname="demo").roles_version
    return browser.post_form("/p/demo/@@roles", {
        "action": "edit-role", "role_id": role_id, "name": name, "includes": includes,
        "version": str(version)}, status=status)


def test_rename_and_change_what_a_role_includes(forge_app, demo):
    developer = roles()["Developer"]._id
    edit(forge_app, demo["triager"], "Maintainer", [developer])
    now = roles()
    assert "Triager" not in now and now["Maintainer"].includes == [developer]
    # who includes it gains what it gains, at once
    assert developer in now["Lead"].implied_ids and now["Member"]._id in now["Lead"].implied_ids
    entry = ChangeLogEntry.query.get(action="role.edit")
    assert entry is not None and "Maintainer" in entry.summary


@pytest.mark.parametrize("target,name,includes,message", [
    ("triager", "Triager", ["self"], "cannot include itself"),
    ("triager", "Triager", ["lead"], "cannot include a role that includes it"),
    ("triager", "Lead", [], "already a role named"),
    ("triager", "", [], "role name is"),
    ("admin", "Boss", [], "built-in roles"),
])
def test_bad_edits_are_400_and_change_nothing(forge_app, demo, target, name, includes,
                                              message):
    ids = dict(demo, admin=roles()["Admin"]._id)
    ids["self"] = ids[target]
    before = {n: (r.includes, r.implied_ids) for n, r in roles().items()}
    response = edit(forge_app, ids[target], name, [ids[i] for i in includes], status=400) \
        if target != "admin" else _edit_builtin(forge_app, ids["admin"], name)
    assert message in response.text
    assert {n: (r.includes, r.implied_ids) for n, r in roles().items()} == before


def _edit_builtin(forge_app, role_id, name):
    browser = ForgeBrowser(forge_app)
    browser.login("ada")
    return browser.post_form("/p/demo/@@roles", {"action": "edit-role", "role_id": role_id,
                                                 "name": name}, status=400)


def test_only_project_admins_edit_roles_and_a_stale_form_is_409(forge_app, demo):
    bob = ForgeBrowser(forge_app)
    bob.login("bob")
    bob.post_form("/p/demo/@@roles", {"action": "edit-role", "role_id": demo["triager"],
                                      "name": "Mine"}, status=403)
    edit(forge_app, demo["triager"], "Renamed", [])
    browser = ForgeBrowser(forge_app)
    browser.login("ada")
    browser.post_form("/p/demo/@@roles", {"action": "edit-role", "role_id": demo["triager"],
                                          "name": "Again", "version": "0"}, status=409)
    assert "Renamed" in roles()
