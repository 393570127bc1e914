"""The actions without pages: the first-post race, validation, thread counters."""
import pytest

from forge.actions import ActionError
from forge.discussion.actions import check_text, moderate_post, thread_for
from forge.discussion.model import Post, Thread, slug_segment
from forge.model import Artifact, User, session


def test_two_first_posts_share_one_thread(make_topic, monkeypatch):
    topic = make_topic("intro")
    session.close()
    doc = Artifact.query.get(_id=topic._id)
    first = thread_for(doc, create=True, tool_type="topics")
    session.close()
    # the second request looked before the first one's thread existed
    original = Thread.query.get
    calls = []

    def late_get(**kw):
        calls.append(kw)
        return None if len(calls) == 1 else original(**kw)

    monkeypatch.setattr(Thread.query, "get", late_get)
    second = thread_for(doc, create=True, tool_type="topics")
    monkeypatch.undo()
    assert second._id == first._id
    session.close()
    assert Thread.query.find({"ref_id": topic._id}).count() == 1


def test_check_text():
    assert check_text("a\r\nb") == "a\nb"
    for bad, message in (("", "Write something"), (" \n ", "Write something"),
                         ("a\x00b", "NUL"), ("x" * 70000, "at most")):
        with pytest.raises(ActionError, match=message):
            check_text(bad)


def test_slugs_sort_by_time():
    first, second = slug_segment(), slug_segment()
    assert len(first) == len(second) == 18
    assert first[:14] <= second[:14]          # the time part never goes back


def test_moderating_twice_changes_nothing(make_topic, browser_for, registry):
    make_topic("intro")
    browser_for("out").post_form("/p/demo/topics/intro/@@post", {"text": "held"}, status=302)
    session.close()
    dev = User.query.get(username="dev")
    post = Post.query.find({}).first()
    moderate_post(registry, post, "approve", dev)
    moderate_post(registry, post, "approve", dev)
    session.close()
    assert Thread.query.find({}).first().num_posts == 1
    post = Post.query.find({}).first()
    moderate_post(registry, post, "delete", dev)
    with pytest.raises(ActionError, match="deleted already"):
        moderate_post(registry, post, "spam", dev)
    session.close()
    assert Thread.query.find({}).first().num_posts == 0
