"""Auditors on the real forge: they modify or reject changes made through the
web forms and the actions, before anything is saved.

The auditors are those of ``tests.bus.plugins``, loaded through ``forge.tools``.
"""
import pytest
from pyramid.testing import DummyRequest
from pyramid.traversal import find_resource

from forge.actions.acl import add_entry, set_privacy
from forge.actions.fields import add_custom_field, remove_custom_field
from forge.actions.projects import (create_own_roles, create_project, install_tool,
                                    reorder_tools, uninstall_tool, update_project,
                                    update_tool)
from forge.actions.roles import (add_member, create_role, delete_role, remove_member,
                                 role_named)
from forge.actions.users import create_user
from forge.actions.versions import revert
from forge.bus.auditing import Change, Rejected, run_auditors
from forge.bus.registry import auditors_for
from forge.model import ChangeLogEntry, Neighborhood, OutboxEvent, Project, Snapshot, session
from forge.model.acl import AUTHENTICATED, EVERYONE, ace
from forge.resources import SiteRoot
from forge.testing import PASSWORD, forge_test_settings
from tools.notes.actions import create_note, delete_note, update_note
from tools.notes.model import Note

NOTE = "/p/demo/notes/plan/"


@pytest.fixture
def forge_settings():
    return forge_test_settings(**{"forge.tools": "tests.bus.plugins"})


def note_fields(title, text="Some text.", labels=()):
    return {"title": title, "text": text, "labels": list(labels), "custom": {}, "ext": {}}


@pytest.fixture
def site(registry, make_user, make_project):
    """ada admins demo (notes at /p/demo/notes/ with the note "plan"); bob is a
    Member.  The auditors' records start empty."""
    ada, bob = make_user("ada"), make_user("bob")
    project = make_project("demo", ada)
    add_member(registry, project, role_named(project, "Member"), bob, ada)
    tool = install_tool(registry, project, "notes", "notes", ada)
    note = create_note(registry, project, tool, None, "plan", note_fields("Plan"), ada)
    session.close()
    registry.bus_test_seen.clear()
    registry.bus_test_order.clear()
    return {"ada": ada, "bob": bob, "project": project, "tool": tool, "note": note}


def seen(registry, topic):
    return [c for c in registry.bus_test_seen if c["topic"] == topic]


def fresh_note(path="plan"):
    session.close()
    return Note.query.get(path=path)


def outbox_count():
    return OutboxEvent.query.find().count()


def edit_note(browser, title, text="Some text.", status=302, headers=None):
    return browser.post_form(NOTE + "@@edit", {"title": title, "text": text, "labels": "",
                                               "comment": "", "version": "1"},
                             status=status, headers=headers)


# -- modify and reject through the web --------------------------------------------

def test_an_auditor_modifies_a_note_title_from_the_edit_form(forge_browser, registry, site):
    forge_browser.login("ada")
    edit_note(forge_browser, "A darn good plan")
    note = fresh_note()
    assert (note.version, note.title) == (2, "A d**n good plan")
    assert Snapshot.query.get(artifact_id=note._id, version=2).data["title"] == (
        "A d**n good plan")
    [change] = seen(registry, "notes.note.updated")
    # the recorder runs last: it sees what the earlier auditor made of the change
    assert change["new"] == {"title": "A d**n good plan"}
    assert change["old"]["title"] == "Plan" and change["old"]["text"] == "Some text."
    assert (change["node_type"], change["node_id"]) == ("Note", note._id)
    assert (change["actor"], change["source"]) == ("ada", "web")
    assert change["detail"]["edited_version"] == 1


def test_a_rejection_is_a_422_form_and_nothing_is_saved(forge_browser, registry, site):
    forge_browser.login("ada")
    before = (outbox_count(), Snapshot.query.find().count(), ChangeLogEntry.query.find().count())
    page = edit_note(forge_browser, "What the heck", status=422)
    assert "no swearing" in page.text
    assert "What the heck" in page.text          # the form keeps what the user typed
    note = fresh_note()
    assert (note.version, note.title) == (1, "Plan")
    assert (outbox_count(), Snapshot.query.find().count(),
            ChangeLogEntry.query.find().count()) == before
    assert seen(registry, "notes.note.updated") == []


def test_a_rejected_new_note_leaves_no_document(forge_browser, registry, site):
    forge_browser.login("ada")
    before = (outbox_count(), Snapshot.query.find().count())
    page = forge_browser.post_form("/p/demo/notes/@@new", {
        "title": "Heck", "text": "", "labels": "", "comment": ""}, status=422)
    assert "no swearing" in page.text
    assert fresh_note("Heck") is None
    assert (outbox_count(), Snapshot.query.find().count()) == before


def test_a_new_note_is_saved_as_the_auditor_left_it(forge_browser, registry, site):
    forge_browser.login("bob")
    forge_browser.post_form("/p/demo/notes/@@new", {
        "name": "ideas", "title": "darn ideas", "text": "", "labels": "", "comment": ""})
    note = fresh_note("ideas")
    assert note.title == "d**n ideas"
    assert Snapshot.query.get(artifact_id=note._id, version=1).data["title"] == "d**n ideas"
    [change] = seen(registry, "notes.note.created")
    assert (change["node_id"], change["old"], change["actor"]) == (None, {}, "bob")
    assert change["new"]["path"] == "ideas"


def test_a_rejection_answers_json_with_its_message(forge_browser, registry, site):
    from forge.model.session import set_fields
    set_fields(fresh_note(), labels=["pinned"])
    before = outbox_count()
    forge_browser.login("ada")
    response = forge_browser.post_form(NOTE + "@@delete", {}, status=409,
                                       headers={"Accept": "application/json"})
    assert response.json["message"] == "Pinned notes stay."
    assert response.json["status"] == 409
    assert not fresh_note().deleted
    assert outbox_count() == before


def test_project_auditors_see_creation_from_web_and_cli(forge_browser, registry, site):
    forge_browser.login("ada")
    forge_browser.post_form("/p/@@create", {"shortname": "web", "title": "From the web",
                                            "description": "hello"})
    create_project(registry, Neighborhood.query.get(name="p"), "cli", "From the CLI",
                   site["ada"], private=True, source="cli")
    created = seen(registry, "project.created")
    assert [(c["new"], c["actor"], c["source"], c["detail"]["shortname"]) for c in created] == [
        ({"title": "From the web", "description": "hello", "private": False}, "ada", "web",
         "web"),
        ({"title": "From the CLI", "description": "", "private": True}, "ada", "cli", "cli"),
    ]


def test_a_rejected_project_is_a_403_form_and_not_created(forge_browser, registry, site):
    forge_browser.login("ada")
    before = outbox_count()
    page = forge_browser.post_form("/p/@@create", {"shortname": "res", "title": "Reserved"},
                                   status=403)
    assert "That title is reserved." in page.text
    assert Project.query.get(shortname="res") is None
    assert outbox_count() == before


def test_acl_auditors_see_old_and_new_and_may_modify(forge_browser, registry, site):
    forge_browser.login("ada")
    old_acl = list(Project.query.get(shortname="demo").acl)
    forge_browser.post_form("/p/demo/@@permissions", {
        "op": "add", "access": "allow", "principal": AUTHENTICATED, "permission": "delete"})
    session.close()
    acl = Project.query.get(shortname="demo").acl
    assert ace("allow", AUTHENTICATED, "update") in acl
    assert ace("allow", AUTHENTICATED, "delete") not in acl
    [change] = seen(registry, "project.acl.changed")
    assert change["old"] == {"acl": old_acl}
    assert change["new"]["acl"] == list(acl)
    assert (change["actor"], change["source"], change["node_type"]) == ("ada", "web", "Project")
    assert change["detail"]["action"] == "acl.add"
    # a project's ACL changes are under project.# too
    names = [a.fn.__name__ for a in auditors_for(registry, "project.acl.changed")]
    assert "reserved_project_titles" in names
    assert "signed_in_users_never_delete" in names


def test_a_rejected_acl_change_is_a_403_and_the_acl_stays(forge_browser, registry, site):
    forge_browser.login("ada")
    before = (list(Project.query.get(shortname="demo").acl), outbox_count())
    page = forge_browser.post_form("/p/demo/@@permissions", {
        "op": "add", "access": "allow", "principal": EVERYONE, "permission": "update"},
        status=403)
    assert "Everyone may only read." in page.text
    session.close()
    assert (list(Project.query.get(shortname="demo").acl), outbox_count()) == before


# -- order ------------------------------------------------------------------------

def test_auditors_run_by_priority_then_name(registry, site):
    change = run_auditors(registry, "scm.commit", node_type="Commit", new={"marks": []},
                   actor=site["ada"], source="scm")
    assert isinstance(change, Change)
    # first (5) < a, b, c (100, by name) < late (500); wiki.# never matches
    assert change.new["marks"] == ["first", "a", "b", "c", "late"]
    assert registry.bus_test_order == ["first", "a", "b", "c", "late"]
    assert seen(registry, "scm.commit")[0]["source"] == "scm"


def test_an_earlier_auditors_rejection_stops_the_later_ones(registry, site):
    with pytest.raises(Rejected, match="no swearing") as info:
        update_note(registry, fresh_note(), 1, note_fields("heck, darn"), site["ada"])
    assert info.value.status == 422
    assert registry.bus_test_seen == []         # the recorder (priority 1000) never ran


def test_rejected_takes_only_refusal_statuses():
    assert Rejected("no").status == 400
    assert Rejected("no", status=403).message == "no"
    with pytest.raises(ValueError):
        Rejected("no", status=500)


# -- every change path is audited with its event's topic ----------------------------

def node_at(registry, url):
    session.clear()
    request = DummyRequest()
    request.registry = registry
    return find_resource(SiteRoot(request), url)


def _sub(site):
    return Project.query.get(shortname="demo/sub")


CHANGES = {
    "create_user": lambda r, s: create_user(r, "carol", "carol@example.test", PASSWORD),
    "create_project": lambda r, s: create_project(
        r, Neighborhood.query.get(name="p"), "other", "Other", s["ada"]),
    "create_subproject": lambda r, s: create_project(
        r, Neighborhood.query.get(name="p"), "sub2", "Sub 2", s["ada"], parent=s["project"]),
    "update_project": lambda r, s: update_project(r, s["project"], "Demo!", "", True, s["ada"]),
    "install_tool": lambda r, s: install_tool(r, s["project"], "notes", "wiki", s["ada"]),
    "update_tool": lambda r, s: update_tool(r, s["project"], s["tool"], "n", "N", s["ada"]),
    "reorder_tools": lambda r, s: reorder_tools(r, s["project"], ["second", "notes"],
                                                s["ada"]),
    "uninstall_tool": lambda r, s: uninstall_tool(r, s["project"], s["tool"], s["ada"]),
    "create_own_roles": lambda r, s: create_own_roles(r, _sub(s), s["ada"]),
    "create_role": lambda r, s: create_role(r, s["project"], "Reviewer", [], s["ada"]),
    "delete_role": lambda r, s: delete_role(r, s["project"], role_named(s["project"], "Tester"),
                                            s["ada"]),
    "add_member": lambda r, s: add_member(r, s["project"], role_named(s["project"], "Admin"),
                                          s["bob"], s["ada"]),
    "remove_member": lambda r, s: remove_member(r, s["project"],
                                                role_named(s["project"], "Member"),
                                                s["bob"], s["ada"]),
    "add_entry": lambda r, s: add_entry(r, node_at(r, "/p/demo/notes/"), "deny", "bob",
                                        "create", s["ada"]),
    "set_privacy": lambda r, s: set_privacy(r, node_at(r, "/p/demo/"), True, s["ada"]),
    "create_note": lambda r, s: create_note(r, s["project"], s["tool"], None, "new",
                                            note_fields("New"), s["ada"]),
    "update_note": lambda r, s: update_note(r, fresh_note(), 2, note_fields("Plan B"),
                                            s["ada"]),
    "revert": lambda r, s: revert(r, fresh_note(), 1, 2, s["ada"]),
    "delete_note": lambda r, s: delete_note(r, fresh_note(), s["ada"]),
    "add_custom_field": lambda r, s: add_custom_field(r, s["tool"], "size", "Size", "integer",
                                                      s["ada"]),
    "remove_custom_field": lambda r, s: remove_custom_field(r, s["tool"], "due", s["ada"]),
}


@pytest.fixture
def every_site(registry, site):
    """``site`` plus what some changes need: a second tool, a subproject, a custom
    role, a custom field and a second version of the note."""
    ada, project = site["ada"], site["project"]
    install_tool(registry, project, "notes", "second", ada)
    create_project(registry, Neighborhood.query.get(name="p"), "sub", "Sub", ada,
                   parent=project)
    create_role(registry, project, "Tester", [], ada)
    add_custom_field(registry, site["tool"], "due", "Due", "date", ada)
    update_note(registry, fresh_note(), 1, note_fields("Plan A"), ada)
    session.close()
    registry.bus_test_seen.clear()
    return site


def database_dump():
    db = session.db
    return {name: sorted(repr(sorted(d.items())) for d in db[name].find())
            for name in db.list_collection_names()}


@pytest.mark.parametrize("name", sorted(CHANGES))
def test_each_change_is_audited_with_the_topics_it_emits(registry, every_site, name):
    before = outbox_count()
    CHANGES[name](registry, every_site)
    session.close()
    emitted = [r.topic for r in OutboxEvent.query.find().sort("seq", 1).skip(before)]
    assert emitted
    assert [c["topic"] for c in registry.bus_test_seen] == emitted


@pytest.mark.parametrize("name, vetoed", [(name, True) for name in sorted(CHANGES)] + [
    # changes audited twice, refused by their second audit
    ("create_own_roles", "project.acl.changed"),
    ("create_user", "project.created"),
])
def test_each_change_rejected_saves_nothing(registry, every_site, name, vetoed):
    before = database_dump()
    registry.bus_test_veto = vetoed
    with pytest.raises(Rejected, match="Vetoed: ") as info:
        CHANGES[name](registry, every_site)
    assert info.value.status == 409
    registry.bus_test_veto = False
    session.flush()      # nothing of the refused change may be waiting in the session
    session.close()
    assert database_dump() == before
