"""An artifact's events name its project's tree (detail ``family_key``, as a
comment's do) when the change had the project or its tool at hand, so the
activity reactor reads no project for them; an event without it (an older
outbox record) still gets its entry's ``family_key`` from the project."""
import pytest

from forge.activity import reactor
from forge.activity.model import ActivityEntry
from forge.activity.reactor import record_activity
from forge.events import ArtifactCreated
from forge.model import OutboxEvent, Project, ToolInstance, session
from forge.model.session import collection
from forge.testing import count_collection_calls
from tools.notes.actions import create_note, delete_note, update_note
from tools.notes.model import Note

from .test_activity import FIELDS, forge_settings, site  # noqa: F401


def events(topic):
    session.close()
    return tuple(record["message"] for record in collection(OutboxEvent).find(
        {"topic": topic}).sort("seq", 1))


def family_key(project):
    return "%s/%s" % (project.neighborhood_id, project.family)


def held(site):  # noqa: F811
    """The project and tool as a view or mail in hands them to a change: read
    in this session."""
    return (Project.query.get(_id=site["project"]._id),
            ToolInstance.query.get(_id=site["tool"]._id))


def test_created_updated_and_deleted_events_name_the_family(registry, site):  # noqa: F811
    project, tool = held(site)
    create_note(registry, project, tool, None, "Guide", dict(FIELDS, title="Guide"),
                site["ada"])
    doc = Note.query.get(tool_id=tool._id, path="Guide")
    update_note(registry, doc, doc.version, {"title": "The Guide"}, site["ada"])
    session.close()
    project, tool = held(site)
    delete_note(registry, Note.query.get(tool_id=tool._id, path="Guide"), site["ada"])
    for topic in ("notes.note.created", "notes.note.updated", "notes.note.deleted"):
        (event,) = events(topic)
        assert event["detail"]["family_key"] == family_key(project), topic


def test_a_new_artifacts_entry_reads_no_project(registry, site, monkeypatch):  # noqa: F811
    project, tool = held(site)
    for name in ("One", "Two"):
        create_note(registry, project, tool, None, name, dict(FIELDS, title=name),
                    site["ada"])
    created = events("notes.note.created")
    collection(ActivityEntry).delete_many({})
    calls = count_collection_calls(monkeypatch, reactor)
    record_activity(created, None)
    assert calls == [("artifact", "find"), ("activity", "insert_many")]
    assert {e["family_key"] for e in collection(ActivityEntry).find()} == {
        family_key(project)}


def test_the_tools_copy_serves_when_the_project_is_not_held(registry, site):  # noqa: F811
    tool = ToolInstance.query.get(_id=site["tool"]._id)
    doc = Note(path="Loose", family="Loose", project_id=tool.project_id, tool_id=tool._id)
    event = ArtifactCreated(doc)
    assert event.detail["family_key"] == family_key(site["project"])
    session.close()
    assert "family_key" not in ArtifactCreated(doc).detail       # nothing held: no read


def test_an_event_without_it_still_reads_the_project(registry, site,  # noqa: F811
                                                      monkeypatch):
    project, tool = held(site)
    create_note(registry, project, tool, None, "Old", dict(FIELDS, title="Old"), site["ada"])
    (event,) = events("notes.note.created")
    older = dict(event, detail={k: v for k, v in event["detail"].items()
                                if k != "family_key"})
    collection(ActivityEntry).delete_many({})
    calls = count_collection_calls(monkeypatch, reactor)
    record_activity(older, None)
    assert ("project", "find_one") in calls
    (entry,) = collection(ActivityEntry).find()
    assert entry["family_key"] == family_key(project)


@pytest.fixture(autouse=True)
def _closed():
    yield
    session.close()
