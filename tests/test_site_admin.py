"""Site administration (``/@@admin``): only site admins; users disabled and
enabled, site admin rights granted and taken; projects deleted and undeleted
with their subprojects; the banner; the audit log with its filters."""
import datetime

import pytest

from forge.model import ChangeLogEntry, Project, User, session
from forge.testing import ForgeBrowser


@pytest.fixture
def people(make_user, make_project):
    root = make_user("root", site_admin=True)
    ada = make_user("ada")
    make_user("bob")
    project = make_project("orchard", ada, title="Orchard")
    make_project("seeds", ada, parent="orchard", title="Seeds")
    make_project("quarry", ada, title="Quarry")
    session.close()
    return {"root": root, "ada": ada, "project": project}


def admin(forge_app):
    browser = ForgeBrowser(forge_app)
    browser.login("root")
    return browser


def reload(cls, **query):
    session.close()
    return cls.query.get(**query)


@pytest.mark.parametrize("page", ["@@admin", "@@admin-users", "@@admin-projects",
                                  "@@admin-audit"])
def test_only_site_admins_see_the_pages(forge_app, people, page):
    anonymous = ForgeBrowser(forge_app)
    response = anonymous.get("/" + page, status=(302, 403))
    assert response.status_int in (302, 403)
    ada = ForgeBrowser(forge_app)
    ada.login("ada")
    ada.get("/" + page, status=403)
    if page != "@@admin-audit":             # the log has no form
        ada.post_form("/" + page, {"action": "disable", "username": "bob"}, status=403)
    assert admin(forge_app).get("/" + page).status_int == 200
    assert not reload(User, username="bob").disabled


def test_the_header_links_the_admin_pages_for_site_admins_only(forge_app, people):
    assert 'id="site-admin-link"' in admin(forge_app).get("/p/orchard/").text
    ada = ForgeBrowser(forge_app)
    ada.login("ada")
    assert 'id="site-admin-link"' not in ada.get("/p/orchard/").text


def test_find_users_and_disable_one(forge_app, people):
    browser = admin(forge_app)
    page = browser.get("/@@admin-users", params={"q": "AD"}).text
    assert 'id="user-ada"' in page and 'id="user-bob"' not in page
    bob = ForgeBrowser(forge_app)
    bob.login("bob")
    assert bob.signed_in
    browser.post_form("/@@admin-users", {"action": "disable", "username": "bob"}, status=302)
    assert reload(User, username="bob").disabled
    assert not bob.get("/").text.count('href="http://localhost/u/bob"')   # session ended
    disabled = browser.get("/@@admin-users", params={"state": "disabled"}).text
    assert 'id="user-bob"' in disabled and 'id="user-ada"' not in disabled
    browser.post_form("/@@admin-users", {"action": "enable", "username": "bob"}, status=302)
    assert not reload(User, username="bob").disabled
    bob_id = reload(User, username="bob")._id
    actions = [e.action for e in ChangeLogEntry.query.find({"node_id": bob_id})]
    assert "user.disable" in actions and "user.enable" in actions


def test_site_admin_rights_and_no_self_lockout(forge_app, people):
    browser = admin(forge_app)
    browser.post_form("/@@admin-users", {"action": "grant-admin", "username": "ada"},
                      status=302)
    assert reload(User, username="ada").site_admin
    for action in ("revoke-admin", "disable"):
        refused = browser.post_form("/@@admin-users", {"action": action, "username": "root"},
                                    status=400)
        assert "your own" in refused.text
    root = reload(User, username="root")
    assert root.site_admin and not root.disabled
    browser.post_form("/@@admin-users", {"action": "revoke-admin", "username": "ada"},
                      status=302)
    assert not reload(User, username="ada").site_admin


@pytest.mark.parametrize("fields,message", [
    ({"action": "explode", "username": "bob"}, "Unknown action"),
    ({"action": "disable", "username": "nobody"}, "There is no user"),
    ({"action": "disable"}, "There is no user"),
])
def test_bad_user_actions_are_400(forge_app, people, fields, message):
    response = admin(forge_app).post_form("/@@admin-users", fields, status=400)
    assert message in response.text


def test_delete_a_project_with_its_subprojects_and_undelete_it(forge_app, people):
    browser = admin(forge_app)
    project = people["project"]
    anonymous = ForgeBrowser(forge_app)
    assert anonymous.get("/p/orchard/seeds/").status_int == 200
    refused = browser.post_form("/@@admin-projects", {
        "action": "delete", "project_id": project._id, "confirm": "wrong"}, status=400)
    assert "to confirm" in refused.text and not reload(Project, _id=project._id).deleted
    browser.post_form("/@@admin-projects", {
        "action": "delete", "project_id": project._id, "confirm": "orchard"}, status=302)
    assert reload(Project, _id=project._id).deleted
    assert reload(Project, shortname="orchard/seeds").deleted
    anonymous.get("/p/orchard/", status=404)
    anonymous.get("/p/orchard/seeds/", status=404)
    assert "/p/orchard/" not in anonymous.get("/").text
    assert "/p/quarry/" in anonymous.get("/").text
    listed = browser.get("/@@admin-projects", params={"state": "deleted"}).text
    assert "orchard" in listed and "quarry" not in listed
    # a subproject cannot come back before its parent
    seeds = reload(Project, shortname="orchard/seeds")
    early = browser.post_form("/@@admin-projects", {"action": "undelete",
                                                    "project_id": seeds._id}, status=400)
    assert "undelete that first" in early.text
    browser.post_form("/@@admin-projects", {"action": "undelete", "project_id": project._id},
                      status=302)
    assert anonymous.get("/p/orchard/seeds/").status_int == 200
    actions = [e.action for e in ChangeLogEntry.query.find({"node_id": project._id})]
    assert "project.delete" in actions and "project.undelete" in actions


def test_the_banner_shows_on_every_page_and_comes_down(forge_app, people):
    browser = admin(forge_app)
    anonymous = ForgeBrowser(forge_app)
    assert 'id="site-banner"' not in anonymous.get("/p/orchard/").text    # cached now
    browser.post_form("/@@admin", {"banner": "Maintenance at 18:00 <b>UTC</b>",
                                   "version": "0"}, status=302)
    page = anonymous.get("/p/orchard/").text
    assert "Maintenance at 18:00 &lt;b&gt;UTC&lt;/b&gt;" in page
    stale = browser.post_form("/@@admin", {"banner": "other", "version": "0"}, status=409)
    assert stale.status_int == 409
    browser.post_form("/@@admin", {"banner": "two\nlines", "version": "1"}, status=400)
    browser.post_form("/@@admin", {"banner": "", "version": "1"}, status=302)
    assert 'id="site-banner"' not in anonymous.get("/p/orchard/").text


def test_the_audit_log_records_sign_ins_and_filters(forge_app, people):
    stranger = ForgeBrowser(forge_app)
    stranger.post_form("/@@login", {"username": "bob", "password": "wrong-password"},
                       status=(200, 400, 401, 403))
    browser = admin(forge_app)          # a sign-in of root
    browser.post_form("/@@admin-users", {"action": "disable", "username": "bob"}, status=302)
    log = browser.get("/@@admin-audit").text
    assert "failed to sign in as bob" in log and "signed in" in log
    assert "disabled the account" in log
    only_root = browser.get("/@@admin-audit", params={"actor": "root"}).text
    assert "disabled the account" in only_root and "failed to sign in" not in only_root
    projects_only = browser.get("/@@admin-audit", params={"kind": "project"}).text
    assert "disabled the account" not in projects_only
    today = datetime.datetime.utcnow().date()
    tomorrow = (today + datetime.timedelta(days=1)).isoformat()
    assert "No entries match" in browser.get("/@@admin-audit", params={"since": tomorrow}).text
    assert "disabled the account" in browser.get(
        "/@@admin-audit", params={"since": today.isoformat(), "until": today.isoformat()}).text
    bob = reload(User, username="bob")
    by_node = browser.get("/@@admin-audit", params={"node": bob._id}).text
    assert "disabled the account" in by_node and "created the project" not in by_node


@pytest.mark.parametrize("params", [{"since": "yesterday"}, {"until": "2026-13-45"},
                                    {"kind": "everything"}, {"page": "0"}, {"page": "x"}])
def test_bad_audit_filters_are_400(forge_app, people, params):
    response = admin(forge_app).get("/@@admin-audit", params=params, status=400)
    assert response.status_int == 400


def test_site_admins_rename_move_and_purge_from_the_projects_page(forge_app, people):
    browser = admin(forge_app)
    project = people["project"]
    assert 'id="move-%s"' % project._id in browser.get("/@@admin-projects").text
    refused = browser.post_form("/@@admin-project-move", {
        "project_id": project._id, "parent": "orchard/seeds", "name": "orchard",
        "version": "0"}, status=400)
    assert "under itself" in refused.text and 'id="projects-error"' in refused.text
    browser.post_form("/@@admin-project-move", {
        "project_id": project._id, "parent": "quarry", "name": "grove", "version": "0"},
        status=302)
    assert reload(Project, _id=project._id).shortname == "quarry/grove"
    assert reload(Project, shortname="quarry/grove/seeds") is not None
    refused = browser.post_form("/@@admin-project-purge", {
        "project_id": project._id, "confirm": "quarry/grove"}, status=400)
    assert "delete it first" in refused.text
    browser.post_form("/@@admin-projects", {"action": "delete", "project_id": project._id,
                                            "confirm": "quarry/grove", "version": "1"},
                      status=302)
    browser.post_form("/@@admin-project-purge", {"project_id": project._id,
                                                 "confirm": "quarry/grove"}, status=302)
    assert reload(Project, _id=project._id) is None
    assert reload(Project, shortname="quarry/grove/seeds") is None
    assert reload(Project, shortname="quarry") is not None
    ada = ForgeBrowser(forge_app)
    ada.login("ada")
    ada.post_form("/@@admin-project-purge", {"project_id": people["project"]._id,
                                             "confirm": "x"}, status=403)
    purge = ChangeLogEntry.query.get(action="project.purge")
    assert purge is not None and "quarry/grove" in purge.summary
