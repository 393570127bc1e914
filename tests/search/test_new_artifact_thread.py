"""A new artifact's ``created`` event reads no thread while the index holds
no document of it (its comments' events come after it and append them), and
reads it when one does: a forum thread's opening post, a comment made before
the event was handled, in any order and batching of the events, give the
document a full rebuild gives."""
from types import SimpleNamespace

import pytest

from forge.actions.projects import install_tool
from forge.discussion.actions import add_post
from forge.model import OutboxEvent, Project, ToolInstance, session
from forge.model.session import collection
from forge.search import reindex
from forge.search.indexer import on_event
from tools.discussion.actions import create_forum, create_thread
from tools.tracker.actions import create_ticket

from .helpers import find, node_at, setup_site
from .test_new_artifact_reads import stored_documents


@pytest.fixture
def site(registry, make_user, make_project, run_reactors):
    people = setup_site(registry, make_user, make_project)
    ada, project = people["ada"], people["project"]
    people["tickets"] = install_tool(registry, project, "tracker", "tickets", ada)
    people["forum"] = install_tool(registry, project, "discussion", "forum", ada)
    create_forum(registry, project, people["forum"], "general", "General", "Talk.", ada)
    session.flush()
    run_reactors()
    return people


def outbox_after(seq):
    session.close()
    return [record["message"] for record in collection(OutboxEvent).find(
        {"seq": {"$gt": seq}}).sort("seq", 1)]


def last_seq():
    last = collection(OutboxEvent).find_one({}, sort=[("seq", -1)])
    return last["seq"] if last else 0


def deliver(registry, *batches):
    for batch in batches:
        on_event(tuple(batch), SimpleNamespace(registry=registry))


def emptied(registry):
    with registry.forge_search_index().writing() as batch:
        batch.writer.delete_all_documents()


def new_ticket(registry, site, title, description):
    project = Project.query.get(_id=site["project"]._id)
    tool = ToolInstance.query.get(_id=site["tickets"]._id)
    return create_ticket(registry, project, tool, {
        "title": title, "description": description, "labels": [], "custom": {}, "ext": {}},
        site["mem"])


def rebuilt_equals_indexed(registry):
    """Whether the documents indexed are those a full rebuild gives them."""
    indexed = stored_documents(registry)
    ids = {document["id"][0] for document in indexed}
    reindex(registry)
    return indexed and [d for d in stored_documents(registry) if d["id"][0] in ids] == indexed


def test_new_tickets_read_no_thread(registry, site, thread_reads):
    seq = last_seq()
    for i in range(3):
        new_ticket(registry, site, "Crash %d" % i, "zebra %d" % i)
    emptied(registry)
    deliver(registry, outbox_after(seq))
    assert thread_reads == []
    assert len(find(registry, "zebra", site["ada"])) == 3
    assert rebuilt_equals_indexed(registry)


def test_a_comment_before_its_artifacts_event_is_handled(registry, site, thread_reads):
    seq = last_seq()
    ticket = new_ticket(registry, site, "Crash", "zebra")
    created = outbox_after(seq)
    ticket_id = ticket._id
    add_post(registry, node_at(registry, "/p/demo/tickets/1/"), "an okapi saw it", site["ada"],
             may_skip_moderation=True)
    session.flush()
    posted = [e for e in outbox_after(seq) if e["node_type"] == "Post"]
    orders = {
        "in order, one batch": [created + posted],
        "in order, two batches": [created, posted],
        # the comment's event numbered first (made between the ticket's save
        # and its event's record): it indexes the ticket with its thread
        "comment first, one batch": [posted + created],
        "comment first, two batches": [posted, created],
    }
    for name, batches in orders.items():
        emptied(registry)
        del thread_reads[:]
        deliver(registry, *batches)
        if name == "in order, two batches":
            assert thread_reads == [], name        # appended to the new document
        else:
            assert ticket_id in thread_reads, name
        assert find(registry, "okapi", site["ada"]) == ["#1 Crash"], name
        assert rebuilt_equals_indexed(registry), name


def test_a_forum_threads_opening_post_is_indexed(registry, site):
    seq = last_seq()
    create_thread(registry, node_at(registry, "/p/demo/forum/general/"), "Wombat care",
                  "Feed the quoll daily.", site["ada"], may_skip_moderation=True)
    session.flush()
    events = outbox_after(seq)
    created = [e for e in events if e["topic"] == "discussion.thread.created"]
    posted = [e for e in events if e["node_type"] == "Post"]
    assert created and posted
    for batches in ([events], [[e] for e in events], [posted, created], [created, posted],
                    [posted + created]):
        emptied(registry)
        deliver(registry, *batches)
        assert find(registry, "quoll", site["ada"]) == ["Wombat care"], batches
        assert rebuilt_equals_indexed(registry)
