"""A visible post added last is appended to the indexed text (no thread
read), and the document is exactly what a full re-index gives: after
top-level posts, a reply in the middle, a held post and its approval, a
deletion, an edit of the artifact, and a retried event."""
from types import SimpleNamespace

import pytest

from forge.discussion.actions import add_post, delete_post, moderate_post
from forge.model import session
from forge.search import reindex
from forge.search.appending import stored_text
from forge.search.indexer import on_event
from tools.notes.actions import update_note

from .helpers import find, node_at, note, setup_site


@pytest.fixture
def site(registry, make_user, make_project, run_reactors):
    people = setup_site(registry, make_user, make_project)
    people["note"] = note(registry, people["notes"], people["ada"], "talk", "Talk",
                          "The *first* words.")
    session.flush()
    run_reactors()
    return people


def full_text(registry, artifact_id):
    reindex(registry)
    return stored_text(registry.forge_search_index(), artifact_id)


def created_event(made):
    return {"topic": "notes.post.created", "node_type": "Post", "node_id": made._id,
            "tool_id": made.tool_id, "path": made.path, "detail": {"status": made.status}}


def post(registry, run_reactors, text, actor, **kw):
    """A post, its event handled by the search reactor alone, once (the
    test harness's ``run_reactors`` delivers this test's outbox again)."""
    made = add_post(registry, node_at(registry, "/p/demo/notes/talk/"), text, actor, **kw)
    session.flush()
    on_event((created_event(made),), SimpleNamespace(registry=registry))
    return made


def test_appended_text_is_the_full_rebuild(registry, site, run_reactors, thread_reads):
    ada, out, index = site["ada"], site["out"], registry.forge_search_index()
    talk = site["note"]._id
    first = post(registry, run_reactors, "A **bold** kiwi", ada, may_skip_moderation=True)
    post(registry, run_reactors, "Second: [a link](http://example.com/x) mango", ada,
         may_skip_moderation=True)
    assert thread_reads == []               # both appended
    appended = stored_text(index, talk)
    assert appended == full_text(registry, talk)
    thread_reads.clear()
    assert find(registry, "mango") == ["Talk"] and find(registry, "kiwi") == ["Talk"]

    # a reply to the first post sorts before the second: the thread is read
    post(registry, run_reactors, "A reply: papaya", ada, may_skip_moderation=True,
         parent_id=first._id)
    assert len(thread_reads) == 1
    assert stored_text(index, talk) == full_text(registry, talk)
    thread_reads.clear()

    held = post(registry, run_reactors, "Held words: quince", out)
    assert find(registry, "quince", ada) == []
    moderate_post(registry, held, "approve", ada)
    session.flush()
    run_reactors()
    assert find(registry, "quince") == ["Talk"]
    assert stored_text(index, talk) == full_text(registry, talk)

    delete_post(registry, first, ada)
    session.flush()
    run_reactors()
    assert find(registry, "kiwi") == []
    assert stored_text(index, talk) == full_text(registry, talk)


def test_own_text_changed_or_retried_event_reads_the_thread(registry, site, run_reactors,
                                                            thread_reads):
    ada, index = site["ada"], registry.forge_search_index()
    talk = site["note"]
    made = post(registry, run_reactors, "Lychee here", ada, may_skip_moderation=True)
    assert thread_reads == []
    # the artifact's own text changed and its event is not handled yet
    doc = node_at(registry, "/p/demo/notes/talk/").doc
    update_note(registry, doc, doc.version, {"title": "Talk", "text": "Other words now",
                                             "labels": [], "custom": {}, "ext": {}}, ada)
    session.flush()
    event = created_event(made)
    on_event((event,), SimpleNamespace(registry=registry))
    assert len(thread_reads) == 1
    assert stored_text(index, talk._id) == full_text(registry, talk._id)
    # the same event again (a bus retry): not appended twice
    on_event((event,), SimpleNamespace(registry=registry))
    assert stored_text(index, talk._id).count("Lychee") == 1
    assert stored_text(index, talk._id) == full_text(registry, talk._id)
    run_reactors()


def test_a_lagging_reactor_appends_in_order(registry, site, run_reactors, thread_reads):
    """Posts saved faster than the reactor runs: each event appends its post
    although later posts exist already; the result is the full rebuild's."""
    ada, index, talk = site["ada"], registry.forge_search_index(), site["note"]._id
    node = node_at(registry, "/p/demo/notes/talk/")
    made = [add_post(registry, node, "Burst number %d" % n, ada, may_skip_moderation=True)
            for n in range(4)]
    session.flush()
    for each in made:
        on_event((created_event(each),), SimpleNamespace(registry=registry))
    assert thread_reads == []
    assert stored_text(index, talk) == full_text(registry, talk)
    # an event handled again after a later post: the thread is read, nothing doubled
    on_event((created_event(made[1]),), SimpleNamespace(registry=registry))
    assert stored_text(index, talk).count("Burst number 1") == 1
    assert stored_text(index, talk) == full_text(registry, talk)


def test_a_batch_appends_its_posts_on_one_artifact_together(registry, site, run_reactors,
                                                            thread_reads, monkeypatch):
    """The posts a batch adds are read in one query and appended together,
    in thread order (whatever the events' order), without a thread read;
    the text is the full rebuild's."""
    ada, index, talk = site["ada"], registry.forge_search_index(), site["note"]._id
    node = node_at(registry, "/p/demo/notes/talk/")
    post(registry, run_reactors, "Already indexed fig", ada, may_skip_moderation=True)
    made = [add_post(registry, node, "Batch post %d" % n, ada, may_skip_moderation=True)
            for n in range(3)]
    session.flush()
    finds = []
    real_find = session.db["post"].__class__.find

    def counted(self, *args, **kwargs):
        if self.name == "post":
            finds.append(args[0] if args else kwargs.get("filter"))
        return real_find(self, *args, **kwargs)
    monkeypatch.setattr(session.db["post"].__class__, "find", counted)
    events = tuple(created_event(each) for each in reversed(made))
    on_event(events, SimpleNamespace(registry=registry))
    monkeypatch.undo()
    assert thread_reads == []
    assert len([f for f in finds if "_id" in f]) == 1       # the batch's posts, once
    text = stored_text(index, talk)
    assert text.index("Batch post 0") < text.index("Batch post 1") < text.index("Batch post 2")
    assert text == full_text(registry, talk)
    # the same batch again (a retry): nothing appended twice
    on_event(events, SimpleNamespace(registry=registry))
    assert stored_text(index, talk).count("Batch post 1") == 1
    assert stored_text(index, talk) == full_text(registry, talk)
