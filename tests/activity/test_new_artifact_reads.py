"""New artifacts in a batch (``forge.bus.batches``): the activity reactor
reads their titles in one query and the project's family once, and records
the same entries as it does for each event alone."""
import pytest

from forge.activity import reactor
from forge.activity.model import ActivityEntry
from forge.activity.reactor import record_activity
from forge.model import OutboxEvent, session
from forge.model.session import collection
from forge.testing import count_collection_calls

from .test_activity import forge_settings, note, site  # noqa: F401

FIELDS = ("title", "summary", "verb", "artifact_id", "actor_id", "family_key", "project_id",
          "path", "node_id", "topic")


@pytest.fixture
def created(registry, site):  # noqa: F811
    """Three new notes' ``created`` events, their entries taken away."""
    for name in ("One", "Two", "Three"):
        note(registry, site, name, "Note %s" % name)
    session.close()
    events = tuple(record["message"] for record in collection(OutboxEvent).find(
        {"topic": "notes.note.created"}).sort("seq", 1))
    collection(ActivityEntry).delete_many({})
    return events


def entries():
    return sorted(({key: entry.get(key) for key in FIELDS}
                   for entry in collection(ActivityEntry).find()), key=lambda e: e["path"])


def test_a_batch_of_new_artifacts_reads_them_at_once(registry, site, created,  # noqa: F811
                                                     monkeypatch):
    calls = count_collection_calls(monkeypatch, reactor)
    record_activity(created, None)
    assert calls == [("artifact", "find"), ("project", "find_one"),
                     ("activity", "insert_many")]
    batched = entries()
    assert [e["title"] for e in batched] == ["Note One", "Note Three", "Note Two"]
    assert {e["summary"] for e in batched} == {"created"}
    assert all(e["family_key"] and e["artifact_id"] == e["node_id"] for e in batched)
    # the same entries as each event recorded alone
    collection(ActivityEntry).delete_many({})
    for event in created:
        record_activity(event, None)
    assert entries() == batched


def test_a_gone_artifact_is_not_recorded(registry, site, created):  # noqa: F811
    session.db["artifact"].delete_one({"_id": created[1]["node_id"]})
    record_activity(created, None)
    assert [e["node_id"] for e in entries()] == [created[0]["node_id"],
                                                  created[2]["node_id"]]
