"""forge.visibility.NodeResolver: a record's (tool_id, path) is walked first,
which saves the read by id while the artifact is still there, and never
changes the answer: renamed, replaced, deleted and other-tool records resolve
by the artifact's current id as before."""
import contextlib

import pytest
from pyramid.request import Request
from pyramid.scripting import prepare

from forge.actions.projects import install_tool
from forge.model import Artifact, session
from forge.model.session import collection
from forge.testing import forge_test_settings
from forge.visibility import NodeResolver
from tools.notes.actions import create_note, delete_note

FIELDS = {"text": "x", "labels": [], "custom": {}, "ext": {}}


@pytest.fixture
def forge_settings():
    return forge_test_settings(**{"forge.tools": "tools.notes",
                                  "forge.load_tool_entry_points": "false"})


@pytest.fixture
def site(registry, make_user, make_project):
    ada = make_user("ada")
    project = make_project("demo", ada)
    notes = install_tool(registry, project, "notes", "notes", ada)
    other = install_tool(registry, project, "notes", "other", ada)

    def note(tool, name, parent=None):
        return create_note(registry, project, tool, parent, name,
                           dict(FIELDS, title=name), ada)
    guide = note(notes, "Guide")
    docs = {"guide": guide, "install": note(notes, "Install", guide),
            "other_guide": note(other, "Guide")}
    session.close()
    return dict(docs, ada=ada, registry=registry, project=project, notes=notes)


@contextlib.contextmanager
def resolver(registry):
    request = Request.blank("/")
    env = prepare(request=request, registry=registry)
    request.root = env["root"]
    try:
        yield NodeResolver(request)
    finally:
        env["closer"]()


def record(doc, **seen):
    """An activity entry's fields for ``doc`` (``seen`` overrides where it was seen)."""
    return dict({"node_type": "Note", "node_id": doc._id, "tool_id": doc.tool_id,
                 "path": doc.path}, **seen)


def resolved_id(registry, rec):
    with resolver(registry) as nodes:
        node = nodes.resolve(rec)
        return node._doc._id if node is not None else None


def reads_by_id(monkeypatch, registry, rec):
    """The artifact reads by ``_id`` that resolving ``rec`` makes."""
    import forge.visibility
    finds = []

    class Recording:
        def __init__(self, wrapped):
            self.wrapped = wrapped

        def find_one(self, query, *args, **kw):
            finds.append(query)
            return self.wrapped.find_one(query, *args, **kw)

    monkeypatch.setattr(forge.visibility, "collection",
                        lambda cls: Recording(collection(cls)))
    try:
        resolved = resolved_id(registry, rec)
    finally:
        monkeypatch.undo()
    assert resolved == rec["node_id"]
    return [query for query in finds if query.get("_id") == rec["node_id"]]


def test_an_artifact_where_its_record_saw_it_is_not_read_by_id(site, monkeypatch):
    registry = site["registry"]
    for doc in (site["guide"], site["install"]):
        seen = record(doc)
        unseen = record(doc, tool_id=None, path=None)
        assert resolved_id(registry, seen) == resolved_id(registry, unseen) == doc._id
        # its family walked from the tool; without the record's path, first its read by id
        assert reads_by_id(monkeypatch, registry, seen) == []
        assert reads_by_id(monkeypatch, registry, unseen) == [{"_id": doc._id}]


def test_a_renamed_artifact_resolves_by_id_not_what_is_at_its_old_path(site):
    registry, guide = site["registry"], site["guide"]
    rec = record(guide)
    collection(Artifact).update_one({"_id": guide._id},
                                    {"$set": {"path": "Manual", "family": "Manual"}})
    collection(Artifact).update_one({"_id": site["install"]._id},
                                    {"$set": {"path": "Manual/Install", "family": "Manual"}})
    assert resolved_id(registry, rec) == guide._id
    with resolver(registry) as nodes:
        assert nodes.resolve(rec).__name__ == "Manual"
    # a new note where the old one was is not the one the record names
    replacement = create_note(registry, site["project"], site["notes"], None, "Guide",
                              dict(FIELDS, title="New"), site["ada"])
    session.close()
    assert resolved_id(registry, rec) == guide._id
    assert resolved_id(registry, record(replacement)) == replacement._id
    assert resolved_id(registry, record(site["install"], path="Guide/Install")) == \
        site["install"]._id


def test_a_record_naming_another_tool_resolves_to_its_own_artifact(site):
    registry, guide, other = site["registry"], site["guide"], site["other_guide"]
    assert resolved_id(registry, record(guide, tool_id=other.tool_id)) == guide._id
    assert resolved_id(registry, record(other, tool_id=guide.tool_id)) == other._id


def test_a_deleted_artifact_resolves_to_nothing_wherever_it_was_seen(site):
    registry, install = site["registry"], site["install"]
    delete_note(registry, install, site["ada"])
    session.close()
    assert resolved_id(registry, record(install)) is None
    assert resolved_id(registry, record(install, tool_id=None, path=None)) is None


def test_a_stale_document_at_the_recorded_path_is_not_taken(site):
    """The walk reaches the stored document: one marked deleted but still named
    (no traversal) or moved to another tool resolves as by id."""
    registry, guide = site["registry"], site["guide"]
    collection(Artifact).update_one({"_id": guide._id},
                                    {"$set": {"tool_id": site["other_guide"].tool_id,
                                              "path": "Elsewhere", "family": "Elsewhere"}})
    assert resolved_id(registry, record(guide)) == guide._id
    with resolver(registry) as nodes:
        node = nodes.resolve(record(guide))
        assert node.__name__ == "Elsewhere" and node.__parent__.__name__ == "other"


def test_pages_under_one_parent_read_their_parent_once(site, registry):
    """Each node walked is kept for the request: the subpages of one page
    share its family's read (a forum's threads, their forum's)."""
    from forge.testing import count_queries
    guide, install = site["guide"], site["install"]
    create_note(registry, site["project"], site["notes"], guide, "Upgrade",
                dict(FIELDS, title="Upgrade"), site["ada"])
    session.close()
    upgrade = Artifact.query.get(tool_id=guide.tool_id, path="Guide/Upgrade")
    with resolver(registry) as nodes:
        assert nodes.tool(guide.tool_id) is not None
        with count_queries() as reads:
            resolved = [nodes.resolve(record(doc)) for doc in (install, upgrade, guide)]
    assert [node._doc._id for node in resolved] == [install._id, upgrade._id, guide._id]
    assert len(reads) == 1
