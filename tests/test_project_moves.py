"""Renaming, moving and purging projects (``forge.actions.project_moves``,
``forge.views.project_moves``): old addresses redirect without chains, a
project never moves under itself, a deleted project is 404 for all but site
admins, and a purge erases everything but the audit log."""
import pytest

from forge.activity.model import ActivityEntry
from forge.actions.project_moves import move_project
from forge.model import ChangeLogEntry, Project, ProjectRole, ToolInstance, session
from forge.model.project_redirect import ProjectRedirect
from forge.model.session import collection
from forge.testing import ForgeBrowser


@pytest.fixture
def forge_settings():
    from forge.testing import forge_test_settings
    return forge_test_settings(**{"forge.tools": "tools.notes"})


@pytest.fixture
def world(make_user, make_project, install_tool, registry):
    root = make_user("root", site_admin=True)
    ada = make_user("ada")
    make_user("bob")
    orchard = make_project("orchard", ada, title="Orchard")
    seeds = make_project("seeds", ada, parent="orchard", title="Seeds")
    make_project("deep", ada, parent="orchard/seeds", title="Deep")
    quarry = make_project("quarry", ada, title="Quarry")
    install_tool(seeds, "notes", "notes")
    session.close()
    return {"root": root, "ada": ada, "orchard": orchard, "seeds": seeds, "quarry": quarry}


def reload(cls, **query):
    session.close()
    return cls.query.get(**query)


def signed_in(forge_app, name):
    browser = ForgeBrowser(forge_app)
    browser.login(name)
    return browser


def manage(browser, shortname, status=302, **fields):
    page = browser.get("/p/%s/@@manage" % shortname)
    version = page.html.find("input", {"name": "version"})["value"]
    return browser.post_form("/p/%s/@@manage" % shortname,
                             dict({"action": "move", "version": version}, **fields),
                             status=status)


def test_rename_moves_the_subtree_and_the_old_addresses_redirect(forge_app, world):
    ada = signed_in(forge_app, "ada")
    manage(ada, "orchard", parent="", name="grove")
    assert reload(Project, _id=world["orchard"]._id).shortname == "grove"
    seeds = reload(Project, _id=world["seeds"]._id)
    assert (seeds.shortname, seeds.family) == ("grove/seeds", "grove")
    assert reload(Project, shortname="grove/seeds/deep").family == "grove"
    assert {t.family for t in ToolInstance.query.find({"project_id": seeds._id})} == {"grove"}
    anonymous = ForgeBrowser(forge_app)
    assert anonymous.get("/p/grove/seeds/notes/").status_int == 200
    moved = anonymous.get("/p/orchard/seeds/notes/?x=1", status=302)
    assert moved.location == "http://localhost/p/grove/seeds/notes/?x=1"
    assert anonymous.get("/p/orchard/seeds/@@history", status=302).location \
        == "http://localhost/p/grove/seeds/@@history"
    anonymous.get("/p/orchard/nothing-here/", status=302)     # then 404 at the new place
    anonymous.post("/p/orchard/", status=404)
    actions = [e.action for e in ChangeLogEntry.query.find({"node_id": world["orchard"]._id})]
    assert "project.rename" in actions


def test_renamed_twice_makes_no_chain_and_a_new_project_takes_the_old_name(
        forge_app, world, registry, make_project):
    ada = signed_in(forge_app, "ada")
    manage(ada, "orchard/seeds", parent="orchard", name="pips")
    manage(ada, "orchard", parent="", name="grove")
    anonymous = ForgeBrowser(forge_app)
    # the subproject's own old name, under its parent's old name: straight to now
    assert anonymous.get("/p/orchard/seeds/", status=302).location \
        == "http://localhost/p/grove/pips/"
    manage(ada, "grove", parent="", name="park")
    redirects = {r.old_shortname: r.project_id for r in ProjectRedirect.query.find()}
    assert redirects["orchard"] == redirects["grove"] == world["orchard"]._id
    assert anonymous.get("/p/orchard/", status=302).location == "http://localhost/p/park/"
    make_project("orchard", world["ada"], title="New orchard")
    assert "New orchard" in anonymous.get("/p/orchard/").text
    assert ProjectRedirect.query.get(old_shortname="orchard") is None


def test_a_top_level_project_becomes_a_subproject_and_back(forge_app, world, run_reactors):
    run_reactors()
    ada = signed_in(forge_app, "ada")
    manage(ada, "orchard", parent="quarry", name="orchard")
    orchard = reload(Project, _id=world["orchard"]._id)
    assert (orchard.shortname, orchard.parent_id) == ("quarry/orchard", world["quarry"]._id)
    assert reload(Project, _id=world["seeds"]._id).shortname == "quarry/orchard/seeds"
    # the activity of the moved tree is found through its new family
    keys = {e["family_key"] for e in collection(ActivityEntry).find(
        {"project_id": world["seeds"]._id})}
    assert keys == {"%s/quarry" % orchard.neighborhood_id}
    assert "Seeds" in ada.get("/p/quarry/@@activity").text
    manage(ada, "quarry/orchard", parent="", name="orchard")
    orchard = reload(Project, _id=world["orchard"]._id)
    assert (orchard.shortname, orchard.parent_id, orchard.family) == ("orchard", None, "orchard")
    assert ForgeBrowser(forge_app).get("/p/orchard/seeds/deep/").status_int == 200


@pytest.mark.parametrize("parent,name,message", [
    ("orchard", "orchard", "under itself"),
    ("orchard/seeds", "orchard", "under itself"),
    ("orchard/seeds/deep", "x", "under itself"),
    ("quarry", "", "short name"),
    ("", "quarry", "is taken"),
    ("", "bad name!", "short name"),
    ("nowhere", "orchard", "that you administer"),
])
def test_bad_moves_are_400_and_change_nothing(forge_app, world, parent, name, message):
    response = manage(signed_in(forge_app, "ada"), "orchard", status=400, parent=parent,
                      name=name)
    assert message in response.text
    assert reload(Project, _id=world["orchard"]._id).shortname == "orchard"


def test_moves_need_admin_on_both_sides(forge_app, world, make_project, registry):
    bob_project = make_project("shed", reload(type(world["ada"]), username="bob"))
    session.close()
    ada = signed_in(forge_app, "ada")
    refused = manage(ada, "orchard", status=400, parent="shed", name="orchard")
    assert "that you administer" in refused.text
    bob = signed_in(forge_app, "bob")
    bob.get("/p/orchard/@@manage", status=403)
    assert bob_project.shortname == "shed"
    # a subproject on its parent's roles would lose them: refused with a reason
    refused = manage(ada, "orchard/seeds", status=400, parent="quarry", name="seeds")
    assert "own roles" in refused.text


def test_move_api_refuses_a_descendant(registry, world):
    from forge.actions import ActionError
    orchard = Project.query.get(_id=world["orchard"]._id)
    deep = Project.query.get(shortname="orchard/seeds/deep")
    with pytest.raises(ActionError, match="under itself"):
        move_project(registry, orchard, deep, "orchard", world["ada"])


def test_a_stale_form_is_a_409(forge_app, world):
    ada = signed_in(forge_app, "ada")
    page = ada.get("/p/orchard/@@manage")
    version = page.html.find("input", {"name": "version"})["value"]
    ada.post_form("/p/orchard/@@manage", {"action": "move", "version": version,
                                          "parent": "", "name": "grove"}, status=302)
    ada.post_form("/p/grove/@@manage", {"action": "move", "version": version,
                                        "parent": "", "name": "park"}, status=409)


def test_a_deleted_project_is_404_but_for_site_admins_who_may_undelete(forge_app, world):
    ada = signed_in(forge_app, "ada")
    ada.post_form("/p/orchard/seeds/@@manage", {"action": "delete", "confirm": "orchard/seeds",
                                                "version": "0"}, status=302)
    for browser in (ForgeBrowser(forge_app), ada, signed_in(forge_app, "bob")):
        browser.get("/p/orchard/seeds/", status=404)
        browser.get("/p/orchard/seeds/notes/", status=404)
        browser.get("/p/orchard/seeds/@@manage", status=404)
    root = signed_in(forge_app, "root")
    page = root.get("/p/orchard/seeds/")
    assert 'id="undelete-project-form"' in page.text
    root.get("/p/orchard/seeds/notes/", status=404)       # nothing inside is served
    # the parent's admin sees it on the parent's page and brings it back
    listed = ada.get("/p/orchard/@@manage").text
    assert 'id="deleted-subprojects"' in listed
    ada.post_form("/p/orchard/@@manage", {"action": "undelete",
                                          "project_id": world["seeds"]._id}, status=302)
    assert ForgeBrowser(forge_app).get("/p/orchard/seeds/").status_int == 200
    ada.post_form("/p/orchard/@@manage", {"action": "delete", "confirm": "orchard",
                                          "version": "0"}, status=302)
    root.post_form("/p/orchard/@@undelete", {}, status=302)
    assert not reload(Project, _id=world["orchard"]._id).deleted
    ForgeBrowser(forge_app).post_form("/p/orchard/@@undelete", {}, status=(403, 404))


def test_a_deleted_top_level_project_is_undeleted_by_its_own_admins(forge_app, world):
    ada = signed_in(forge_app, "ada")
    ada.post_form("/p/quarry/@@manage", {"action": "delete", "confirm": "quarry",
                                         "version": "0"}, status=302)
    for browser in (ForgeBrowser(forge_app), signed_in(forge_app, "bob")):
        browser.get("/p/quarry/", status=404)
    page = ada.get("/p/quarry/")
    assert 'id="undelete-project-form"' in page.text
    assert 'id="purge-project-form"' not in page.text      # purging is for site admins
    ada.post_form("/p/quarry/@@purge", {"confirm": "quarry"}, status=403)
    signed_in(forge_app, "bob").post_form("/p/quarry/@@undelete", {}, status=(403, 404))
    assert reload(Project, _id=world["quarry"]._id).deleted
    ada.post_form("/p/quarry/@@undelete", {}, status=302)
    assert not reload(Project, _id=world["quarry"]._id).deleted
    assert ForgeBrowser(forge_app).get("/p/quarry/").status_int == 200


def test_purge_erases_everything_but_the_audit_log(forge_app, world, registry):
    from forge.actions.site_admin import set_project_deleted
    from forge.model import User
    seeds = Project.query.get(_id=world["seeds"]._id)
    tool_ids = [t._id for t in ToolInstance.query.find({"project_id": seeds._id})]
    root = signed_in(forge_app, "root")
    root.post_form("/p/orchard/seeds/@@purge", {"confirm": "orchard/seeds"}, status=404)
    set_project_deleted(registry, Project.query.get(_id=world["orchard"]._id), True,
                        User.query.get(username="root"))
    session.close()
    refused = root.post_form("/p/orchard/@@purge", {"confirm": "orchards"}, status=400)
    assert "to confirm" in refused.text
    root.post_form("/p/orchard/@@purge", {"confirm": "orchard"}, status=302)
    session.close()
    assert Project.query.find({"family": "orchard"}).count() == 0
    assert ProjectRole.query.find({"project_id": world["orchard"]._id}).count() == 0
    for tool_id in tool_ids:
        assert collection(ToolInstance).count_documents({"_id": tool_id}) == 0
        assert session.db["artifact"].count_documents({"tool_id": tool_id}) == 0
    assert ChangeLogEntry.query.get(action="project.purge").node_id == world["orchard"]._id
    assert reload(Project, shortname="quarry") is not None
    root.get("/p/orchard/", status=404)


def test_search_hits_follow_a_renamed_project(forge_app, world, registry, run_reactors):
    from forge.search import search
    from pyramid.authorization import Everyone
    from tools.notes.actions import create_note
    seeds = Project.query.get(_id=world["seeds"]._id)
    notes = ToolInstance.query.get(project_id=seeds._id, mount="notes")
    create_note(registry, seeds, notes, None, "sowing", {
        "title": "Sowing guide", "text": "Furrowed words", "labels": [], "custom": {},
        "ext": {}}, world["ada"])
    run_reactors()

    def urls():
        results = search(registry.forge_search_index(), "furrowed", [Everyone])
        return [hit.url for hit in results.hits]
    assert urls() == ["p/orchard/seeds/notes/sowing/"]
    manage(signed_in(forge_app, "ada"), "orchard", parent="", name="grove")
    run_reactors()
    assert urls() == ["p/grove/seeds/notes/sowing/"]
