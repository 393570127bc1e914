"""A comment's ``post.created`` event tells its reactors the ids they would
read back (``forge.discussion.actions.post_facts``), never its content: the
activity reactor reads the post but not the project for it, the same entry
as from an event without those facts (saved before they were added)."""
import smtplib

import pytest

from forge.activity import reactor
from forge.activity.model import ActivityEntry
from forge.discussion.model import Post
from forge.mail_in.addresses import artifact_address, reply_address
from forge.mail_in.policy import set_mail_policy
from forge.model import ToolInstance, session
from forge.model.session import collection
from forge.testing import count_collection_calls

from .test_mail_leaks import guide, message  # noqa: F401


def mail(server, address, text):
    """``text`` mailed by mem to ``address``; (the post it made, its event)."""
    with smtplib.SMTP(*server.address) as client:
        sent = message("mem@example.test", address, text)
        client.sendmail("mem@example.test", [address],
                        sent.as_bytes(policy=sent.policy.clone(linesep="\r\n")))
    session.close()
    post = collection(Post).find_one({}, sort=[("created", -1)])
    record = session.db["outbox"].find_one({"topic": "wiki.post.created",
                                            "message.node_id": post["_id"]})
    return post, record["message"]


def reply(registry, site, guide, server, text):
    return mail(server, reply_address(registry.settings, site["mem"]._id, guide._id), text)


@pytest.fixture
def counted(monkeypatch):
    """The activity reactor's database calls, as (collection, method)."""
    return count_collection_calls(monkeypatch, reactor)


def entry_of(post_id):
    entry = collection(ActivityEntry).find_one({"node_id": post_id})
    return {key: entry[key] for key in ("title", "summary", "verb", "artifact_id", "actor_id",
                                        "family_key", "project_id", "path")}


def test_a_new_comment_is_recorded_without_reading_its_project(registry, site, guide,
                                                                mail_in, counted):
    post, event = reply(registry, site, guide, mail_in, "A *fine* guide.")
    detail = event["detail"]
    assert (detail["artifact_id"], detail["slug"]) == (guide._id, post["slug"])
    # names and ids, no content: the live events stream and webhooks send an
    # event by the node its path names now (tests/test_leaks.py, live_events)
    assert "A *fine* guide." not in repr(event) and "Guide" not in repr(detail)
    reactor.record_activity(event, None)
    assert counted == [("post", "find"), ("activity", "insert_many")]     # no project read
    told = entry_of(post["_id"])
    # the same entry as from the post and the project (an event without the facts)
    collection(ActivityEntry).delete_many({})
    older = dict(event, detail={k: v for k, v in detail.items()
                                if k not in ("family_key", "artifact_id", "slug")})
    del counted[:]
    reactor.record_activity(older, None)
    assert ("post", "find") in counted and ("project", "find_one") in counted
    assert entry_of(post["_id"]) == told
    assert told["summary"] == "A fine guide." and told["title"] == "Re: Guide"
    assert told["actor_id"] == site["mem"]._id and told["family_key"]


def test_a_held_comments_event_tells_no_text(registry, site, guide, mail_in):
    set_mail_policy(registry, ToolInstance.query.get(_id=site["wiki"]._id), "moderated",
                    site["ada"])
    session.close()
    post, event = mail(mail_in, artifact_address(registry.settings, "demo", "wiki", guide._id),
                       "Held back.")
    assert post["status"] != "ok"
    assert "text" not in event["detail"] and "ref_title" not in event["detail"]
    reactor.record_activity(event, None)
    assert collection(ActivityEntry).count_documents({"node_id": post["_id"]}) == 0
