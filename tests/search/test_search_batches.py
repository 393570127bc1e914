"""The search reactor takes its events in batches (forge.bus.batches): the
events fetched together are indexed with one commit; an event that fails in
a batch leaves nothing of the batch behind, the others are then indexed one
at a time and the failing one goes to the dead letters alone; two posts on
one artifact in a batch leave the text a full re-index gives."""
import pytest

from forge.bus.dead_letters import list_dead_letters
from forge.discussion.actions import add_post
from forge.model import session
from forge.search import indexer as indexer_module
from forge.search import documents, reindex
from forge.search.appending import stored_text
from forge.search.node import SHARED_REACTOR
from forge.testing import forge_test_settings

from .helpers import find, node_at, note, setup_site


@pytest.fixture
def forge_settings():
    return forge_test_settings(**{"forge.bus.max_attempts": "2",
                                  "forge.bus.retry_base_seconds": "0.01"})


@pytest.fixture
def site(registry, make_user, make_project, run_reactors):
    people = setup_site(registry, make_user, make_project)
    run_reactors()
    return people


@pytest.fixture
def commits(registry):
    """Commits made to the index since the fixture was set up."""
    index = registry.forge_search_index()
    start = index._commits
    return lambda: index._commits - start


def test_a_batch_of_events_is_indexed_with_one_commit(registry, site, run_reactors, commits):
    for i in range(6):
        note(registry, site["notes"], site["ada"], "n%d" % i, "Batched %d" % i)
    session.flush()
    run_reactors()
    assert commits() == 1
    assert sorted(find(registry, "batched", site["ada"])) == ["Batched %d" % i for i in range(6)]


def test_a_failing_event_is_dead_lettered_alone_and_the_others_indexed_once(
        registry, site, run_reactors, commits, monkeypatch):
    made = [note(registry, site["notes"], site["ada"], "f%d" % i, "Failing %d" % i)
            for i in range(4)]
    session.flush()
    bad = made[1]._id
    real = indexer_module.plan

    def plan(event):
        work = real(event)
        if event.get("node_id") != bad or work is None:
            return work

        def fail(indexer):
            work(indexer)                # written into the batch, then rolled back
            raise RuntimeError("cannot index %s" % bad)
        return fail
    monkeypatch.setattr(indexer_module, "plan", plan)
    run_reactors()
    # the batch rolled back (no commit), then one commit per good event
    assert commits() == 3
    assert sorted(find(registry, "failing", site["ada"])) == ["Failing 0", "Failing 2",
                                                              "Failing 3"]
    dead = list_dead_letters(registry, SHARED_REACTOR)
    assert [letter.body["node_id"] for letter in dead] == [bad]


def test_posts_on_one_artifact_in_a_batch_give_the_full_text_reading_the_thread_once(
        registry, site, run_reactors, monkeypatch):
    talk = note(registry, site["notes"], site["ada"], "talk", "Talk", "The first words.")
    session.flush()
    run_reactors()
    thread_reads = []
    real = documents.visible_posts_text
    monkeypatch.setattr(documents, "visible_posts_text",
                        lambda artifact_id: (thread_reads.append(artifact_id),
                                             real(artifact_id))[1])
    for text in ("alpha reply", "beta reply", "gamma reply"):
        add_post(registry, node_at(registry, "/p/demo/notes/talk/"), text, site["ada"],
                 may_skip_moderation=True)
    session.flush()
    run_reactors()
    # the first appended to the stored text, the second read the thread
    # (the stored text is older than the batch), the third was in it
    assert thread_reads == [talk._id]
    batched = stored_text(registry.forge_search_index(), talk._id)
    assert all(word in batched for word in ("alpha", "beta", "gamma"))
    reindex(registry)
    assert batched == stored_text(registry.forge_search_index(), talk._id)
