"""The ``discussion.counters`` reactor: a visible post added is copied from
the core thread (no post read), the rare events recount, and handling an
event again changes nothing."""
from types import SimpleNamespace

from forge.discussion.actions import delete_post
from forge.discussion.model import Post
from forge.model import session
from tools.discussion import reactors

from .test_forums import browser, new_forum, new_thread, react, site, thread_doc  # noqa: F401
from .test_posts import posts_of, reply


def counted_fields(thread):
    return {k: getattr(thread, k) for k in ("num_posts", "last_post_at", "last_author_id",
                                            "status")}


def event_of(post, verb, status="ok"):
    return {"topic": "discussion.post.%s" % verb, "node_type": "Post", "node_id": post._id,
            "tool_id": post.tool_id, "path": post.path, "detail": {"status": status}}


def test_copied_counters_equal_a_recount_and_a_rerun_changes_nothing(
        forge_app, registry, site, monkeypatch):
    ada, mem, dev = (browser(forge_app, n) for n in ("ada", "mem", "dev"))
    new_forum(ada, "ideas", "Ideas")
    new_thread(mem, "ideas", "Counted", "Opening post")
    thread = thread_doc(site, "Counted")
    reply(dev, thread, "First reply by dev")
    react(registry)
    copied = thread_doc(site, "Counted")
    assert copied.num_posts == 2 and copied.last_author_id == site["dev"]._id

    # the same answer as a recount from the posts
    reactors.update_thread_counters(copied)
    session.close()
    assert counted_fields(thread_doc(site, "Counted")) == counted_fields(copied)

    # a visible post added: no post is read, and running it twice is the same
    reply(mem, thread, "Second reply by mem")
    last = posts_of(thread)[-1]
    reads = []
    real_find, real_get = Post.query.find, Post.query.get
    monkeypatch.setattr(Post.query, "find", lambda *a, **k: reads.append(a) or real_find(*a, **k))
    monkeypatch.setattr(Post.query, "get", lambda *a, **k: reads.append(k) or real_get(*a, **k))
    context = SimpleNamespace(registry=registry)
    for _ in range(2):
        reactors.counters(event_of(last, "created"), context)
        session.close()
        after = thread_doc(site, "Counted")
        assert after.num_posts == 3 and after.last_author_id == site["mem"]._id
        assert after.status == "ok"
    assert reads == []
    monkeypatch.undo()

    # the last post deleted: recounted, the author before it again
    delete_post(registry, Post.query.get(_id=last._id), site["ada"])
    session.flush()
    react(registry)
    gone = thread_doc(site, "Counted")
    assert gone.num_posts == 2 and gone.last_author_id == site["dev"]._id


def test_the_counters_reactors_keep_no_processed_markers(registry):
    # they recompute from the database (a rerun changes nothing, above), so
    # the worker need not record the events they handled
    reactors_by_name = registry.forge_reactors
    assert reactors_by_name["discussion.counters"].idempotent
    assert reactors_by_name["discussion.counters-acl"].idempotent


def test_an_event_bumps_the_content_generation_once(forge_app, registry, site):
    from forge.model.cache import current_generations
    ada, mem = (browser(forge_app, n) for n in ("ada", "mem"))
    new_forum(ada, "bumps", "Bumps")
    new_thread(mem, "bumps", "Bumped", "Opening post")
    react(registry)
    thread = thread_doc(site, "Bumped")
    reply(ada, thread, "A reply")
    last = posts_of(thread)[-1]
    before = current_generations(session.db)
    reactors.counters(event_of(last, "created"), SimpleNamespace(registry=registry))
    after = current_generations(session.db)
    # both the thread and the forum were written, the pages' generation moved once
    assert after[1] == before[1] + 1 and after[0] == before[0]
    session.close()
    assert thread_doc(site, "Bumped").num_posts == 2


def test_a_batch_copies_each_thread_once_and_bumps_once(forge_app, registry, site, monkeypatch):
    from forge.model.cache import current_generations
    ada, mem, dev = (browser(forge_app, n) for n in ("ada", "mem", "dev"))
    new_forum(ada, "batched", "Batched")
    new_thread(mem, "batched", "Batched thread", "Opening post")
    react(registry)
    thread = thread_doc(site, "Batched thread")
    reply(dev, thread, "First of three")
    reply(ada, thread, "Second of three")
    reply(dev, thread, "Third of three")
    batch = tuple(event_of(post, "created") for post in posts_of(thread)[-3:])
    assert reactors.counters.forge_reactor_batching is not None
    reads = []          # the forum thread's and the core thread's stored documents
    real_stored = reactors._stored
    monkeypatch.setattr(reactors, "_stored", lambda raw: reads.append(raw) or real_stored(raw))
    before = current_generations(session.db)
    reactors.counters(batch, SimpleNamespace(registry=registry))
    after = current_generations(session.db)
    monkeypatch.undo()
    assert len(reads) == 2 and after[1] == before[1] + 1
    session.close()
    copied = thread_doc(site, "Batched thread")
    assert copied.num_posts == 4 and copied.last_author_id == site["dev"]._id

    # a batch holding a deletion recounts: the author before the deleted post
    last = posts_of(thread)[-1]
    delete_post(registry, Post.query.get(_id=last._id), site["ada"])
    session.flush()
    session.close()
    reactors.counters((event_of(posts_of(thread)[-1], "created"), event_of(last, "deleted")),
                      SimpleNamespace(registry=registry))
    session.close()
    recounted = thread_doc(site, "Batched thread")
    assert recounted.num_posts == 3 and recounted.last_author_id == site["ada"]._id
