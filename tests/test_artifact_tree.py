"""Trees of artifacts (``forge.artifact_tree``, ``forge.views.artifact_tree``),
on a test-only type with no views of its own (``tests.fixture_plugins.outlines``):
items nest by path, move with their sub-items and leave redirects, are deleted
and undeleted as subtrees, and a taken name or a deleted item is shown only to
who may read it on its stored lineage."""
import pytest
from pyramid.testing import DummyRequest
from pyramid.traversal import find_resource

from forge.actions import ActionError
from forge.actions.acl import set_privacy
from forge.actions.projects import install_tool
from forge.actions.roles import add_member, role_named
from forge.api import ArtifactRedirect, NameTaken, live_nodes, move_artifact, stored_nodes
from forge.model import ChangeLogEntry, OutboxEvent, Snapshot, session
from forge.resources import SiteRoot
from forge.testing import ForgeBrowser, forge_test_settings
from tests.fixture_plugins.memos import Memo
from tests.fixture_plugins.outlines import CountingActions, Item

TOOL = "/p/demo/outlines/"
URL = "http://localhost" + TOOL


@pytest.fixture
def forge_settings():
    return forge_test_settings(**{
        "forge.tools": "tests.fixture_plugins.outlines tests.fixture_plugins.memos"})


@pytest.fixture
def site(forge_app, registry, make_user, make_project):
    """ada admins demo (outlines at /p/demo/outlines/); dev is a Developer, mem a Member."""
    ada = make_user("ada")
    project = make_project("demo", ada)
    people = {"ada": ada, "project": project}
    for name, role in (("dev", "Developer"), ("mem", "Member")):
        people[name] = make_user(name)
        add_member(registry, project, role_named(project, role), people[name], ada)
    people["tool"] = install_tool(registry, project, "outlines", "outlines", ada)
    people["memos"] = install_tool(registry, project, "memos", "memos", ada)
    session.close()

    def browser(username):
        b = ForgeBrowser(forge_app)
        b.login(username)
        return b
    people["browser"] = browser
    return people


def stored(path):
    session.close()
    return Item.query.get(path=path)


def new(b, name, url=TOOL, status=302, **fields):
    return b.post_form(url + "@@new", dict(fields, name=name), status=status)


def node(registry, path):
    request = DummyRequest()
    request.registry = registry
    return find_resource(SiteRoot(request), path)


def topics(prefix):
    session.close()
    return [(e.topic, e.message.get("path"), e.message.get("detail") or {})
            for e in OutboxEvent.query.find().sort("seq", 1) if e.topic.startswith(prefix)]


def test_items_nest_by_path_typed_from_the_tool_or_from_an_item(site):
    ada = site["browser"]("ada")
    assert new(ada, "Plan", body="top").location == URL + "Plan/"
    assert new(ada, "Steps", url=TOOL + "Plan/").location == URL + "Plan/Steps/"
    assert new(ada, "Plan/Steps/One").location == URL + "Plan/Steps/One/"
    steps = stored("Plan/Steps")
    assert (steps.parent_path, steps.family, steps.title) == ("Plan", "Plan", "Steps")
    assert "One" in ada.get(TOOL + "Plan/Steps/").text           # the core's page lists it
    refused = new(ada, "Nowhere/Item", status=400)
    assert "There is no item “Nowhere” to put “Item” under" in refused.text
    taken = new(ada, "Plan", status=400)
    assert "There is already an item named “Plan”." in taken.text
    # a link to a missing item asks @@new?title=...
    assert 'value="Some Name"' in ada.get(TOOL + "@@new?title=Some Name").text
    index = ada.get(TOOL + "@@index").text
    assert 'id="item-index"' in index
    assert index.index(">Plan<") < index.index(">Steps<") < index.index(">One<")


def test_a_move_takes_the_subtree_along_and_old_addresses_redirect(registry, site):
    ada = site["browser"]("ada")
    for name in ("Plan", "Plan/Steps", "Plan/Steps/One", "Archive"):
        new(ada, name)
    CountingActions.changed.clear()
    form = ada.get(TOOL + "Plan/@@rename").text
    assert 'value="Plan"' in form and "New item name" in form
    moved = ada.post_form(TOOL + "Plan/@@rename", {"name": "Archive/Old"}, status=302)
    assert moved.location == URL + "Archive/Old/"
    assert stored("Plan") is None
    one = stored("Archive/Old/Steps/One")
    assert (one.family, one.parent_path) == ("Archive", "Archive/Old/Steps")
    # a title that was the old name follows, in a version that tells it
    old = stored("Archive/Old")
    assert (old.title, old.version) == ("Old", 2)
    assert Snapshot.query.get(artifact_id=old._id, version=2).comment == "renamed from Plan"
    for was, now in (("Plan/", "Archive/Old/"), ("Plan/Steps/One/", "Archive/Old/Steps/One/"),
                     ("Plan/Steps/@@history", "Archive/Old/Steps/@@history"),
                     ("Plan/@@diff?from=1&to=2", "Archive/Old/@@diff?from=1&to=2")):
        assert ada.get(TOOL + was, status=302).location == URL + now
    ada.get(TOOL + "Plan/Nothing/", status=404)
    renamed = [(t[2]["renamed_from"], t[2]["renamed_to"])
               for t in topics("outlines.item.updated") if "renamed_from" in t[2]]
    assert renamed == [("Plan", "Archive/Old"), ("Plan/Steps", "Archive/Old/Steps"),
                       ("Plan/Steps/One", "Archive/Old/Steps/One")]
    assert ChangeLogEntry.query.get(action="outlines.rename").summary == \
        "renamed item Plan to Archive/Old"
    assert ("outlines.item", site["tool"]._id) in CountingActions.changed
    # moving back: no redirect chains, none pointing at itself, the item wins
    ada.post_form(TOOL + "Archive/Old/@@rename", {"name": "Plan"}, status=302)
    assert ada.get(TOOL + "Plan/").status_int == 200
    session.close()
    tool_id = site["tool"]._id
    assert ArtifactRedirect.query.get(tool_id=tool_id, old_path="Plan") is None
    assert ArtifactRedirect.query.get(tool_id=tool_id, old_path="Archive/Old").new_path == "Plan"
    # an item created where a redirect was replaces it
    new(ada, "Archive/Old", body="a new one")
    assert ada.get(TOOL + "Archive/Old/").status_int == 200
    assert ArtifactRedirect.query.get(tool_id=tool_id, old_path="Archive/Old") is None


def test_refused_moves_change_nothing(registry, site):
    ada = site["browser"]("ada")
    for name in ("P", "P/Sub", "Q"):
        new(ada, name)
    for name, message in (("Q", "There is already an item named “Q”."),
                          ("P/Sub/Deeper", "An item cannot move under itself."),
                          ("Missing/P", "There is no item “Missing”"),
                          ("P", "The item is already named “P”."),
                          ("", "The item name is required.")):
        page = ada.post_form(TOOL + "P/@@rename", {"name": name}, status=400)
        assert message in page.text, name
    assert stored("P/Sub") is not None and stored("Q") is not None
    # only a tree type moves
    session.close()
    ada_user, memos = site["ada"], site["memos"]
    from forge.api import create_artifact
    memo = create_artifact(registry, Memo, site["project"], memos, None, "M", {"title": "M"},
                           ada_user)
    with pytest.raises(ActionError, match="A memo cannot be moved."):
        move_artifact(registry, memo, "N", ada_user)


def test_delete_and_undelete_take_exactly_the_subtree(registry, site):
    ada, dev, mem = (site["browser"](n) for n in ("ada", "dev", "mem"))
    for name in ("Old", "Old/Older", "Old/Gone"):
        new(ada, name)
    dev.post_form(TOOL + "Old/Gone/@@delete", {}, status=302)
    assert dev.post_form(TOOL + "Old/@@delete", {}, status=302).location == URL + "@@index"
    for path in ("Old/", "Old/Older/", "Old/Gone/"):
        ada.get(TOOL + path, status=404)
    assert (stored("Old/Older").deleted_with, stored("Old/Gone").deleted_with) == (
        stored("Old")._id, stored("Old/Gone")._id)
    assert ">Old<" not in ada.get(TOOL + "@@index").text
    # the name stays taken, with a way out for who may read the deleted item
    assert "A deleted item is named “Old”" in new(ada, "Old", status=400).text
    listing = dev.get(TOOL + "@@deleted").text
    assert 'id="deleted-items"' in listing and "deleted with its parent" in listing
    older = stored("Old/Older")
    refused = dev.post_form(TOOL + "@@undelete", {"item": older._id}, status=400)
    assert "There is no item “Old” to put “Older” under" in refused.text
    mem.post_form(TOOL + "@@undelete", {"item": stored("Old")._id}, status=403)
    dev.post_form(TOOL + "@@undelete", {"item": "nonsense"}, status=404)
    back = dev.post_form(TOOL + "@@undelete", {"item": stored("Old")._id}, status=302)
    assert back.location == URL + "Old/"
    assert ada.get(TOOL + "Old/Older/").status_int == 200
    ada.get(TOOL + "Old/Gone/", status=404)         # deleted on its own before: stays
    assert [t[0] for t in topics("outlines.item.") if t[1] == "Old"] == [
        "outlines.item.created", "outlines.item.deleted", "outlines.item.updated"]
    assert topics("outlines.item.updated")[-1][2]["undeleted"] is True
    assert sorted(e.action for e in ChangeLogEntry.query.find(
        {"node_id": stored("Old")._id})) == ["outlines.delete", "outlines.undelete"]


@pytest.fixture
def vault(registry, site):
    """"Vault" readable by the project's Admins only, with a child; "Open" public."""
    ada = site["browser"]("ada")
    new(ada, "Vault")
    set_privacy(registry, node(registry, TOOL + "Vault/"), True, site["ada"],
                readers=[role_named(site["project"], "Admin").principal])
    session.close()
    new(ada, "Vault/Child", title="Hidden child")
    new(ada, "Open")
    return ada


def test_a_name_and_a_deleted_item_are_shown_on_the_stored_lineage(registry, site, vault):
    ada, dev = vault, site["browser"]("dev")
    dev.get(TOOL + "Vault/Child/", status=404)
    # a taken name: only who may read the holder learns what holds it
    refused = new(dev, "Vault", status=400).text
    assert "not available here" in refused and "already" not in refused
    ada.post_form(TOOL + "Vault/Child/@@delete", {}, status=302)
    assert "Hidden child" not in dev.get(TOOL + "@@deleted").text
    assert "Hidden child" in ada.get(TOOL + "@@deleted").text
    child = stored("Vault/Child")
    dev.post_form(TOOL + "@@undelete", {"item": child._id}, status=404)
    assert stored("Vault/Child").deleted
    # the nodes are built on the stored lineage: the Vault's ACL rules the child
    tool = node(registry, TOOL)
    built = stored_nodes(tool, ["Vault/Child", "Open", "Nothing"])
    assert built["Nothing"] is None and built["Open"].doc.path == "Open"
    assert built["Vault/Child"].__parent__.doc.path == "Vault"
    assert [n.doc.path for n in live_nodes(tool, tool.request.registry.forge_artifact_types[
        "outlines.item"])] == ["Open", "Vault"]
    assert "Hidden" not in dev.get(TOOL + "@@index").text


def test_an_old_address_leads_only_who_may_read_the_new_one(registry, site, vault):
    vault.post_form(TOOL + "Vault/@@rename", {"name": "Safe"}, status=302)
    assert vault.get(TOOL + "Vault/Child/", status=302).location == URL + "Safe/Child/"
    site["browser"]("dev").get(TOOL + "Vault/Child/", status=404)
    site["browser"]("mem").get(TOOL + "Vault/", status=404)


def test_name_taken_tells_the_holder(registry, site):
    new(site["browser"]("ada"), "X")
    kind = registry.forge_artifact_types["outlines.item"]
    with pytest.raises(NameTaken) as taken:
        kind.actions.create(registry, kind, site["project"], site["tool"], None, "X",
                            {"title": "X"}, site["ada"])
    assert taken.value.holder.path == "X" and "not available" in str(taken.value)


def test_the_tools_address_opens_its_home_item(site):
    mem = site["browser"]("mem")
    empty = mem.get(TOOL)
    assert "has no item “Start”" in empty.text and 'id="outline-nav"' in empty.text
    assert empty.forms["create-home"].submit(status=302).location == URL + "Start/"
    start = stored("Start")
    assert (start.title, start.body, start.author_id) == ("Start", "Hello *outline*",
                                                          site["mem"]._id)
    assert "created from the empty outlines" in Snapshot.query.get(
        artifact_id=start._id, version=1).comment
    assert mem.get(TOOL, status=302).location == URL + "Start/"
    refused = mem.post(TOOL + "@@create-home", {"csrf_token": empty.forms["create-home"][
        "csrf_token"].value}, status=400)
    assert "There is already an item named “Start”." in refused.text


def test_options_name_the_home_as_one_unit_of_work(site):
    ada = site["browser"]("ada")
    form = ada.get(TOOL + "@@options")
    assert 'value="Start"' in form.text and 'id="outline-nav"' in form.text
    site["browser"]("mem").get(TOOL + "@@options", status=403)
    bad = ada.post_form(TOOL + "@@options", {"home": "a/../b", "version": "0"}, status=400)
    assert "may not be" in bad.text
    ada.post_form(TOOL + "@@options", {"home": "Plan", "version": "0"}, status=302)
    session.close()
    tool = type(site["tool"]).query.get(_id=site["tool"]._id)
    assert tool.options["home"] == "Plan"
    assert ChangeLogEntry.query.get(action="outlines.home").summary == "set the home item to Plan"
    # a second save from the same (stale) form is refused
    ada.post_form(TOOL + "@@options", {"home": "Other", "version": "0"}, status=409)
    assert "has no item “Plan”" in ada.get(TOOL).text
    new(ada, "Plan")
    assert ada.get(TOOL, status=302).location == URL + "Plan/"


def test_the_tree_pages_show_the_tools_navigation(site):
    ada = site["browser"]("ada")
    new(ada, "Plan")
    for page in ("@@index", "@@deleted", "Plan/@@rename"):
        assert 'id="outline-nav"' in ada.get(TOOL + page).text, page
