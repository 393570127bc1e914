"""forge.actions.acl: validation, ordering, lock-out, privacy, audit and events."""
import pytest
from pyramid.testing import DummyRequest
from pyramid.traversal import find_resource

from forge.actions import ActionError
from forge.actions.acl import (add_entry, describe_principal, parse_principal, remove_entry,
                               set_privacy)
from forge.model.change_log import entries_for
from forge.actions.projects import install_tool
from forge.actions.roles import add_member, role_named
from forge.actions.versions import create_versioned
from forge.events import AclChanged
from forge.model import ChangeLogEntry, session
from forge.model.acl import AUTHENTICATED, EVERYONE, ace, user_principal
from forge.resources import SiteRoot
from forge.security import can, user_principals

from .test_versions import Page


@pytest.fixture
def world(registry, make_user, make_project):
    ada, bob = make_user("ada"), make_user("bob")
    project = make_project("demo", ada)
    add_member(registry, project, role_named(project, "Member"), bob, ada)
    tool = install_tool(registry, project, "notes", "notes", ada)
    create_versioned(registry, Page, ada, path="page", title="A page", text="x",
                     project_id=project._id, tool_id=tool._id, acl=[])
    session.flush()
    return {"ada": ada, "bob": bob, "project": project}


@pytest.fixture
def events(registry):
    seen = []
    registry.registerHandler(seen.append, (AclChanged,))
    yield seen
    registry.unregisterHandler(seen.append, (AclChanged,))


def node(registry, url):
    session.clear()
    request = DummyRequest()
    request.registry = registry
    return find_resource(SiteRoot(request), url)


def test_add_entry_validates_and_records(registry, world, events):
    ada, bob = world["ada"], world["bob"]
    page = node(registry, "/p/demo/notes/page/")
    add_entry(registry, page, "deny", "bob", "read", ada)
    page = node(registry, "/p/demo/notes/page/")
    assert list(page.doc.acl) == [ace("deny", user_principal(bob._id), "read")]
    assert not can(page, user_principals(bob), "read")
    [entry] = entries_for(page.doc)
    assert (entry.action, entry.actor_id, entry.summary) == ("acl.add", ada._id,
                                                             "deny bob read")
    assert [e.node for e in events][0]._id == page.doc._id


@pytest.mark.parametrize("access,principal,permission,message", [
    ("allow", "bob", "fly", "Unknown permission 'fly'"),
    ("allow", "bob", "", "Unknown permission ''"),
    ("maybe", "bob", "read", "Access must be"),
    ("allow", "nobody-here", "read", "Name a user, a role"),
    ("allow", "user:0123456789abcdef01234567", "read", "There is no user"),
    ("allow", "role:0123456789abcdef01234567", "read", "no such role"),
    ("allow", "x" * 500, "read", "too long"),
])
def test_add_entry_rejects_bad_input(registry, world, events, access, principal,
                                     permission, message):
    tool = node(registry, "/p/demo/notes/")
    before = list(tool.doc.acl)
    with pytest.raises(ActionError, match=message):
        add_entry(registry, tool, access, principal, permission, world["ada"])
    assert list(node(registry, "/p/demo/notes/").doc.acl) == before
    assert events == []


def test_denies_go_before_allows_and_duplicates_are_refused(registry, world):
    ada = world["ada"]
    project = node(registry, "/p/demo/")
    add_entry(registry, project, "deny", "bob", "update", ada)
    acl = list(node(registry, "/p/demo/").doc.acl)
    assert acl[0] == ace("deny", user_principal(world["bob"]._id), "update")
    assert acl[-1] == ace("allow", EVERYONE, "read")
    with pytest.raises(ActionError, match="already there"):
        add_entry(registry, node(registry, "/p/demo/"), "deny", "bob", "update", ada)


def test_remove_entry_checks_what_the_user_saw(registry, world):
    ada = world["ada"]
    project = node(registry, "/p/demo/")
    last = dict(project.doc.acl[-1])
    with pytest.raises(ActionError, match="may have changed"):
        remove_entry(registry, project, len(project.doc.acl) - 1, ada,
                     expected=ace("allow", AUTHENTICATED, "read"))
    with pytest.raises(ActionError, match="no such entry"):
        remove_entry(registry, project, 99, ada)
    remove_entry(registry, project, len(project.doc.acl) - 1, ada, expected=last)
    assert last not in list(node(registry, "/p/demo/").doc.acl)
    assert entries_for(project.doc)[0].summary == "removed allow Everyone read"


def test_last_admin_cannot_be_locked_out(registry, world):
    ada = world["ada"]
    project = node(registry, "/p/demo/")
    before = list(project.doc.acl)
    admin_entry = ace("allow", role_named(project.doc, "Admin").principal, "*")
    index = before.index(admin_entry)
    count = ChangeLogEntry.query.find().count()
    with pytest.raises(ActionError, match="lock every project admin out"):
        remove_entry(registry, project, index, ada, expected=admin_entry)
    with pytest.raises(ActionError, match="lock every project admin out"):
        add_entry(registry, project, "deny", "ada", "admin", ada)
    session.clear()
    assert list(node(registry, "/p/demo/").doc.acl) == before
    assert ChangeLogEntry.query.find().count() == count
    # a deny for someone else is fine
    add_entry(registry, node(registry, "/p/demo/"), "deny", "bob", "admin", ada)


def test_privacy_of_an_artifact_with_chosen_readers(registry, world, make_user):
    ada, bob = world["ada"], world["bob"]
    carol = make_user("carol")
    page = node(registry, "/p/demo/notes/page/")
    with pytest.raises(ActionError, match="lock every project admin out"):
        set_privacy(registry, page, True, ada, readers=["carol"])
    admins = role_named(world["project"], "Admin").principal
    set_privacy(registry, page, True, ada, readers=["carol", admins])
    page = node(registry, "/p/demo/notes/page/")
    assert page.private
    assert can(page, user_principals(carol), "read")
    assert not can(page, user_principals(bob), "read")
    assert can(page, user_principals(ada), "admin")     # project admins keep their access
    assert entries_for(page.doc)[0].summary == "made private; readers: carol, Admin (demo)"
    set_privacy(registry, page, False, ada)
    page = node(registry, "/p/demo/notes/page/")
    assert not page.private and can(page, user_principals(bob), "read")
    with pytest.raises(ActionError, match="already public"):
        set_privacy(registry, page, False, ada)


def test_privacy_defaults_to_members_and_refuses_everyone(registry, world, make_user):
    carol = make_user("carol")
    tool = node(registry, "/p/demo/notes/")
    with pytest.raises(ActionError, match="cannot be readable by Everyone"):
        set_privacy(registry, tool, True, world["ada"], readers=["Everyone"])
    set_privacy(registry, tool, True, world["ada"])
    tool = node(registry, "/p/demo/notes/")
    assert can(tool, user_principals(world["bob"]), "read")
    assert not can(tool, user_principals(carol), "read")
    with pytest.raises(ActionError, match="Only projects"):
        set_privacy(registry, node(registry, "/p/"), True, world["ada"])


def test_parse_and_describe_principals(registry, world):
    member = role_named(world["project"], "Member")
    assert parse_principal("Everyone") == EVERYONE
    assert parse_principal(" Authenticated ") == AUTHENTICATED
    assert parse_principal("BOB") == user_principal(world["bob"]._id)
    assert parse_principal(member.principal) == member.principal
    assert describe_principal(member.principal) == "Member (demo)"
    assert describe_principal(EVERYONE) == "Everyone"
    assert describe_principal(AUTHENTICATED) == "Signed-in users"
    assert describe_principal(user_principal(world["bob"]._id)) == "bob"
    assert describe_principal("role:gone") == "role:gone"
