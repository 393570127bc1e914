"""Posting, replying, editing and deleting comments through the pages."""
import re

from forge.discussion.model import Post, Thread
from forge.model import OutboxEvent, session

from .conftest import TOPICS

URL = TOPICS + "intro/"


def posts():
    session.close()
    return Post.query.find({}).sort("slug", 1).all()


def thread():
    session.close()
    return Thread.query.get(ref_path="intro")


def post_ids(html):
    return re.findall(r'<article class="post[^"]*" id="post-([0-9a-f]+)"', html)


def test_member_posts_and_replies_threaded(make_topic, browser_for):
    make_topic("intro")
    mem = browser_for("mem")
    page = mem.get(URL)
    assert 'id="discussion"' in page.text and "No comments yet." in page.text
    first = mem.post_form(URL + "@@post", {"text": "First!"}, status=302)
    first_post = posts()[0]
    assert first.location.endswith("/p/demo/topics/intro/#post-%s" % first_post._id)
    mem.post_form(URL + "@@post", {"text": "Second, top level"}, status=302)
    ada = browser_for("ada")
    ada.post_form(URL + "@@post", {"text": "A reply to the first", "parent_id": first_post._id},
                  status=302)
    stored = posts()
    second = next(p for p in stored if p.text == "Second, top level")
    reply = next(p for p in stored if p.parent_id == first_post._id)
    mem.post_form(URL + "@@post", {"text": "Reply to the reply", "parent_id": reply._id},
                  status=302)
    deep = posts()
    nested = next(p for p in deep if p.parent_id == reply._id)
    assert nested.slug.startswith(reply.slug + "/") and reply.slug.startswith(first_post.slug + "/")
    # depth first, replies under their parent, in time order
    assert [p._id for p in deep] == [first_post._id, reply._id, nested._id, second._id]
    html = mem.get(URL).text
    assert post_ids(html) == [first_post._id, reply._id, nested._id, second._id]
    assert thread().num_posts == 4
    assert all(p.status == "ok" for p in deep)
    assert "(4)" in html
    topics = [r.topic for r in OutboxEvent.query.find({}).all()]
    assert topics.count("topics.post.created") == 4


def test_empty_and_too_long_text_are_400_with_the_text_kept(make_topic, browser_for):
    make_topic("intro")
    mem = browser_for("mem")
    page = mem.post_form(URL + "@@post", {"text": "   "}, status=400)
    assert "Write something" in page.text
    page = mem.post_form(URL + "@@post", {"text": "x" * (64 * 1024 + 1)}, status=400)
    assert "at most 65536 characters" in page.text
    assert posts() == []


def test_reply_to_a_post_of_another_artifact_is_refused(make_topic, browser_for):
    make_topic("intro")
    make_topic("other")
    mem = browser_for("mem")
    mem.post_form(TOPICS + "other/@@post", {"text": "elsewhere"}, status=302)
    other = posts()[0]
    page = mem.post_form(URL + "@@post", {"text": "hi", "parent_id": other._id}, status=400)
    assert "not in this discussion" in page.text
    page = mem.post_form(URL + "@@post", {"text": "hi", "parent_id": "nonsense"}, status=400)
    assert "hi</textarea>" in page.text


def test_anonymous_cannot_post(make_topic, browser_for):
    make_topic("intro")
    anon = browser_for()
    page = anon.get(URL)
    assert "Sign in</a> to comment" in page.text
    assert 'action="http://localhost/p/demo/topics/intro/@@post"' not in page.text
    anon.post_form(URL + "@@post", {"text": "drive-by"}, status=403)
    assert posts() == []


def test_missing_csrf_token_is_refused(make_topic, browser_for):
    make_topic("intro")
    mem = browser_for("mem")
    mem.post(URL + "@@post", {"text": "no token"}, status=400)
    assert posts() == []


def test_edit_keeps_history_and_history_page(make_topic, browser_for):
    make_topic("intro")
    mem = browser_for("mem")
    mem.post_form(URL + "@@post", {"text": "Frist post"}, status=302)
    post = posts()[0]
    form = mem.get(URL + "@@post-edit", {"post_id": post._id})
    assert "Frist post</textarea>" in form.text
    mem.post_form(URL + "@@post-edit", {"post_id": post._id, "version": "1",
                                        "text": "First post"}, status=302)
    edited = posts()[0]
    assert edited.version == 2 and edited.text == "First post"
    assert [(h["version"], h["text"]) for h in edited.history] == [(1, "Frist post")]
    page = mem.get(URL)
    assert "edited</a>" in page.text
    history = mem.get(URL + "@@post-history", {"post_id": post._id})
    assert "Version 2 (current)" in history.text and "Frist post" in history.text
    # a stale form (version 1 again) is a 409, nothing overwritten
    stale = mem.post_form(URL + "@@post-edit", {"post_id": post._id, "version": "1",
                                                "text": "Other"}, status=409)
    assert "Someone changed this post" in stale.text and "Other</textarea>" in stale.text
    assert posts()[0].text == "First post"
    assert thread().num_posts == 1


def test_only_author_or_moderator_edits_and_deletes(make_topic, browser_for):
    make_topic("intro")
    mem = browser_for("mem")
    mem.post_form(URL + "@@post", {"text": "mine"}, status=302)
    post = posts()[0]
    out = browser_for("out")
    out.get(URL + "@@post-edit", {"post_id": post._id}, status=403)
    out.post_form(URL + "@@post-edit", {"post_id": post._id, "version": "1", "text": "hijack"},
                  status=403)
    out.post_form(URL + "@@post-delete", {"post_id": post._id}, status=403)
    assert 'aria-label="Delete the post by mem"' not in out.get(URL).text
    dev = browser_for("dev")      # a moderator
    dev.post_form(URL + "@@post-edit", {"post_id": post._id, "version": "1",
                                        "text": "mine (typo fixed)"}, status=302)
    assert posts()[0].text == "mine (typo fixed)"
    mem.post_form(URL + "@@post-delete", {"post_id": post._id}, status=302)
    assert posts()[0].deleted is True
    assert thread().num_posts == 0
    assert 'id="post-%s"' % post._id not in mem.get(URL).text
    mem.get(URL + "@@post-edit", {"post_id": post._id}, status=404)


def test_deleted_post_with_replies_stays_as_placeholder(make_topic, browser_for):
    make_topic("intro")
    mem, ada = browser_for("mem"), browser_for("ada")
    mem.post_form(URL + "@@post", {"text": "parent text"}, status=302)
    parent = posts()[0]
    ada.post_form(URL + "@@post", {"text": "child text", "parent_id": parent._id}, status=302)
    mem.post_form(URL + "@@post-delete", {"post_id": parent._id}, status=302)
    html = browser_for("out").get(URL).text
    assert "This post was removed." in html and "parent text" not in html
    assert "child text" in html
    assert thread().num_posts == 1


def test_post_of_unknown_id_is_404(make_topic, browser_for):
    make_topic("intro")
    make_topic("other")
    mem = browser_for("mem")
    mem.post_form(TOPICS + "other/@@post", {"text": "elsewhere"}, status=302)
    other = posts()[0]
    mem.get(URL + "@@post-edit", {"post_id": other._id}, status=404)
    mem.get(URL + "@@post-history", {"post_id": "x"}, status=404)


def test_short_links_in_posts(make_topic, browser_for):
    make_topic("intro")
    make_topic("other")
    mem = browser_for("mem")
    mem.post_form(URL + "@@post", {"text": "See [topics:other] please"}, status=302)
    html = mem.get(URL).text
    assert 'href="http://localhost/p/demo/topics/other/"' in html


def test_events_of_a_post_name_the_tool_and_the_artifact(make_topic, browser_for):
    make_topic("intro")
    mem, dev = browser_for("mem"), browser_for("dev")
    mem.post_form(URL + "@@post", {"text": "v1"}, status=302)
    post = posts()[0]
    mem.post_form(URL + "@@post-edit", {"post_id": post._id, "version": "1", "text": "v2"},
                  status=302)
    dev.post_form(URL + "@@moderate", {"post_id": post._id, "decision": "delete"}, status=302)
    session.close()
    records = OutboxEvent.query.find({"topic": {"$regex": r"^topics\.post\."}}).sort("seq", 1).all()
    assert [r.topic for r in records] == ["topics.post.created", "topics.post.updated",
                                          "topics.post.deleted"]
    for r in records:
        assert r.message["node_id"] == post._id and r.message["path"] == "intro"
        assert r.message["node_type"] == "Post"
    assert posts()[0].title == "Re: Intro"


def test_posts_follow_their_artifact_when_it_is_renamed(make_topic, browser_for, registry):
    from forge.actions.versions import save_versioned
    from forge.model import Artifact, User
    from forge.model.session import set_fields
    topic = make_topic("intro")
    out = browser_for("out")
    out.post_form(URL + "@@post", {"text": "held, then moved"}, status=302)
    session.close()
    # a retitle (a new version) updates the thread at once
    save_versioned(registry, Artifact.query.get(_id=topic._id), 1, {"title": "Welcome"},
                   User.query.get(username="ada"))
    session.close()
    assert Thread.query.get(ref_id=topic._id).ref_title == "Welcome"
    assert posts()[0].title == "Re: Welcome"
    # a move behind the actions' back: the queue finds it where it is now,
    # and the next change to the post names the new path
    set_fields(Artifact.query.get(_id=topic._id), path="moved", family="moved")
    dev = browser_for("dev")
    queue = dev.get(TOPICS + "@@moderation").text
    assert "held, then moved" in queue
    assert 'action="http://localhost/p/demo/topics/moved/@@moderate"' in queue
    post = posts()[0]
    dev.post_form(TOPICS + "moved/@@moderate", {"post_id": post._id, "decision": "approve"},
                  status=302)
    assert posts()[0].path == "moved"
    assert Thread.query.get(ref_id=topic._id).ref_path == "moved"
    approved = OutboxEvent.query.get(topic="topics.post.approved")
    assert approved.message["path"] == "moved"
