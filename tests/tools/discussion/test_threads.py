"""Thread pages beyond posting: subject edits, deletion, attachments on the
opening post (and a refused one), the events of every change, and what
resolving a thread costs."""
import pytest

from forge.discussion.model import Post
from forge.model import OutboxEvent, session
from forge.model.session import collection
from forge.testing import count_queries, forge_test_settings

from .test_forums import TOOL, browser, new_forum, new_thread, react, site, thread_doc  # noqa: F401


@pytest.fixture
def forge_settings():
    return forge_test_settings(**{"forge.attachments.max_bytes": "2000"})


def topics():
    return [d["topic"] for d in collection(OutboxEvent).find({}).sort("seq", 1)]


def test_every_change_is_an_event(forge_app, registry, site):
    ada, mem, dev = (browser(forge_app, n) for n in ("ada", "mem", "dev"))
    new_forum(ada, "ideas", "Ideas")
    new_thread(mem, "ideas", "Plans", "Opening")
    thread = thread_doc(site, "Plans")
    mem.post_form(TOOL + thread.path + "/@@post", {"text": "more"}, status=302)
    dev.post_form(TOOL + thread.path + "/@@flags", {"sticky": "on"}, status=302)
    dev.post_form(TOOL + thread.path + "/@@flags", {"locked": "on"}, status=302)
    dev.post_form(TOOL + thread.path + "/@@delete", {}, status=302)
    seen = [t for t in topics() if t.startswith("discussion.")]
    assert seen == ["discussion.forum.created", "discussion.thread.created",
                    "discussion.post.created", "discussion.post.created",
                    "discussion.thread.updated", "discussion.thread.updated",
                    "discussion.thread.locked", "discussion.thread.deleted"]
    # a deleted thread answers 404 and leaves the forum's list and counters
    mem.get(TOOL + thread.path + "/", status=404)
    assert "Plans" not in mem.get(TOOL + "ideas/").text
    react(registry)
    session.close()
    from tools.discussion.model import Forum
    forum = Forum.query.get(tool_id=site["tool"]._id, path="ideas")
    assert (forum.num_threads, forum.num_posts) == (0, 0)


def test_only_moderators_delete_threads(forge_app, site):
    ada, mem = browser(forge_app, "ada"), browser(forge_app, "mem")
    new_forum(ada, "ideas", "Ideas")
    new_thread(mem, "ideas", "Mine", "Opening")
    thread = thread_doc(site, "Mine")
    mem.post_form(TOOL + thread.path + "/@@delete", {}, status=403)
    assert "Delete thread" not in mem.get(TOOL + thread.path + "/").text


def test_edit_subject_is_versioned_and_checked(forge_app, site):
    ada, dev, mem = (browser(forge_app, n) for n in ("ada", "dev", "mem"))
    new_forum(ada, "ideas", "Ideas")
    new_thread(mem, "ideas", "Typo in subjcet", "Opening")
    url = TOOL + thread_doc(site, "Typo in subjcet").path + "/"
    mem.get(url + "@@edit", status=403)
    assert 'name="version" value="1"' in dev.get(url + "@@edit").text
    page = dev.post_form(url + "@@edit", {"subject": " ", "version": "1"}, status=400)
    assert "A subject is required." in page.text
    dev.post_form(url + "@@edit", {"subject": "Typo in subject", "version": "1"}, status=302)
    assert "Typo in subject" in mem.get(url).text
    dev.post_form(url + "@@edit", {"subject": "Stale", "version": "1"}, status=409)
    assert "new subject" in mem.get(url + "@@history").text


def test_opening_post_with_an_attachment(forge_app, site):
    ada, mem = browser(forge_app, "ada"), browser(forge_app, "mem")
    new_forum(ada, "ideas", "Ideas")
    new_thread(mem, "ideas", "Logs", "See the log.",
               upload_files=[("attachment", "build.log", b"error: 42\n")])
    thread = thread_doc(site, "Logs")
    page = mem.get(TOOL + thread.path + "/")
    assert "build.log" in page.text
    post = Post.query.get(_id=thread.first_post_id)
    assert len(post.attachment_ids) == 1


def test_an_oversize_attachment_is_a_413_and_leaves_no_thread(forge_app, site):
    ada, mem = browser(forge_app, "ada"), browser(forge_app, "mem")
    new_forum(ada, "ideas", "Ideas")
    page = new_thread(mem, "ideas", "Huge", "See the dump.", status=413,
                      upload_files=[("attachment", "dump.bin", b"x" * 5000)])
    assert "Huge" in page.text and "See the dump." in page.text   # the form comes back
    session.close()
    from tools.discussion.model import ForumThread
    assert ForumThread.query.find({"tool_id": site["tool"]._id, "type": "discussion.thread",
                                   "deleted": False}).count() == 0
    assert "Huge" not in mem.get(TOOL + "ideas/").text


def test_resolving_a_thread_costs_the_same_reads_as_a_forum_plus_one(forge_app, site):
    ada = browser(forge_app, "ada")
    new_forum(ada, "ideas", "Ideas")
    for i in range(30):
        new_thread(ada, "ideas", "Thread %d" % i, "text")
    url = TOOL + thread_doc(site, "Thread 7").path + "/@@history"
    ada.get(url)
    with count_queries() as forum_reads:
        ada.get(TOOL + "ideas/@@history")
    with count_queries() as thread_reads:
        ada.get(url)
    # at most one indexed lookup per level (none while the thread is kept:
    # forge.one_path_family), never the forum's whole family of threads
    assert len(thread_reads) <= len(forum_reads) + 1
