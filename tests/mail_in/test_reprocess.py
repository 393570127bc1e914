"""``forge admin mail-in-reprocess``: a kept message applied again, through
the path a fresh message takes, only when what it made is gone, and once."""
import time

import pytest

from forge.actions.acl import set_privacy
from forge.actions.roles import remove_member, role_named
from forge.actions.users import set_disabled
from forge.artifact_actions import delete_artifact
from forge.discussion.actions import delete_post
from forge.discussion.model import Post
from forge.mail_in.addresses import reply_address, tool_address
from forge.mail_in.model import InboundMail
from forge.mail_in.policy import set_mail_policy
from forge.mail_in.receive import apply_message
from forge.mail_in.reprocess import STALE_CLAIM_SECONDS
from forge.model import Artifact, ChangeLogEntry, ToolInstance, User, session
from forge.model.session import collection

from .admin_cli_helpers import deliver, forge_admin, ok, refused  # noqa: F401
from .conftest import node_at
from .test_mail_leaks import guide  # noqa: F401


def live_posts(doc):
    session.close()
    return [(p["author_id"], p["text"]) for p in collection(Post).find(
        {"ref_id": doc._id, "deleted": {"$ne": True}}).sort("_id", 1)]


@pytest.fixture
def mems_reply(registry, site, guide):
    """mem's reply to the guide, applied; returns its InboundMail and raw bytes."""
    address = reply_address(registry.settings, site["mem"]._id, guide._id)
    outcome, raw = deliver(registry, "mem@example.test", address, "Lost, then found.")
    assert outcome.accepted, outcome
    return InboundMail.query.get(recipient=address.lower()), raw


def delete_its_post(registry, site, record):
    delete_post(registry, Post.query.get(_id=record.post_id), site["ada"])
    session.close()


def test_a_reply_whose_post_was_deleted_is_posted_again_once(registry, site, guide,
                                                             mems_reply, forge_admin):
    old, raw = mems_reply
    delete_its_post(registry, site, old)
    assert live_posts(guide) == []
    result = ok(forge_admin("mail-in-reprocess", old._id, "--yes"))
    assert live_posts(guide) == [(site["mem"]._id, "Lost, then found.")]
    old = InboundMail.query.get(_id=old._id)
    new = InboundMail.query.get(_id=old.replaced_by)
    assert new._id in result.stdout and new.reprocessed_from == old._id
    assert (new.user_id, new.kind, new.recipient, new.message_id) == (
        old.user_id, "reply", old.recipient, old.message_id)
    assert new.post_id != old.post_id and not Post.query.get(_id=new.post_id).deleted
    entry = ChangeLogEntry.query.get(action="mail_in.reprocessed")
    assert entry.node_id == guide._id and entry.actor_id == site["mem"]._id
    assert entry.detail["reprocessed_from"] == old._id
    # once: the old record again, the new one (its post exists), the sender's server again
    refused(forge_admin("mail-in-reprocess", old._id, "--yes"), "reprocessed already")
    refused(forge_admin("mail-in-reprocess", new._id, "--yes"), "still exists")
    outcome, = apply_message(registry, raw, "mem@example.test", [old.recipient])
    assert "Received already" in outcome.text
    assert len(live_posts(guide)) == 1 and InboundMail.query.find().count() == 2


def test_a_second_loss_may_be_reprocessed_from_the_newest_record(registry, site, guide,
                                                                 mems_reply, forge_admin):
    old, _raw = mems_reply
    delete_its_post(registry, site, old)
    ok(forge_admin("mail-in-reprocess", old._id, "--yes"))
    new = InboundMail.query.get(reprocessed_from=old._id)
    delete_its_post(registry, site, new)
    ok(forge_admin("mail-in-reprocess", new._id, "--yes"))
    assert len(live_posts(guide)) == 1 and InboundMail.query.find().count() == 3


def test_a_reply_whose_post_exists_is_not_applied_twice(registry, site, guide, mems_reply,
                                                        forge_admin):
    old, _raw = mems_reply
    refused(forge_admin("mail-in-reprocess", old._id, "--yes"), "still exists")
    assert len(live_posts(guide)) == 1 and InboundMail.query.find().count() == 1


def test_a_token_whose_user_was_disabled_since_saves_nothing(registry, site, guide,
                                                             mems_reply, forge_admin):
    old, _raw = mems_reply
    delete_its_post(registry, site, old)
    set_disabled(User.query.get(username="mem"), True, site["ada"])
    session.flush()
    refused(forge_admin("mail-in-reprocess", old._id, "--yes"), "account is closed")
    assert live_posts(guide) == [] and InboundMail.query.find().count() == 1
    assert InboundMail.query.get(_id=old._id).replaced_by is None     # claim released


def test_a_reply_to_a_page_the_user_may_no_longer_read_posts_nothing(registry, site, guide,
                                                                     mems_reply, forge_admin):
    """The leak case: the wiki made members-only and mem no member since."""
    old, _raw = mems_reply
    delete_its_post(registry, site, old)
    set_privacy(registry, node_at(registry, "/p/demo/wiki/"), True, site["ada"])
    project = site["project"]
    remove_member(registry, project, role_named(project, "Member"),
                  User.query.get(username="mem"), site["ada"])
    session.close()
    refused(forge_admin("mail-in-reprocess", old._id, "--yes"), "no longer valid")
    assert live_posts(guide) == [] and InboundMail.query.find().count() == 1


def test_held_messages_are_for_the_mail_in_page(registry, site, forge_admin):
    notes = ToolInstance.query.get(_id=site["notes"]._id)
    set_mail_policy(registry, notes, "moderated", site["ada"])
    session.close()
    outcome, _raw = deliver(registry, "mem@example.test",
                            tool_address(registry.settings, "demo", "notes"), "Please.",
                            subject="A note")
    assert outcome.accepted and "moderator" in outcome.text
    held = InboundMail.query.get(status="held")
    refused(forge_admin("mail-in-reprocess", held._id, "--yes"), "@@mail-in")


def test_a_new_artifact_deleted_since_is_made_again(registry, site, forge_admin):
    address = tool_address(registry.settings, "demo", "notes")
    outcome, _raw = deliver(registry, "dev@example.test", address, "Remember this.",
                            subject="A note by mail")
    assert outcome.accepted, outcome
    old = InboundMail.query.get(recipient=address.lower())
    refused(forge_admin("mail-in-reprocess", old._id, "--yes"), "still exists")
    delete_artifact(registry, Artifact.query.get(_id=old.artifact_id), site["ada"])
    session.close()
    ok(forge_admin("mail-in-reprocess", old._id, "--yes"))
    new = InboundMail.query.get(reprocessed_from=old._id)
    made = Artifact.query.get(_id=new.artifact_id)
    assert made.title == "A note by mail" and not made.deleted
    assert made.author_id == site["dev"]._id


def test_it_asks_first_and_one_reprocess_at_a_time(registry, site, guide, mems_reply,
                                                   forge_admin):
    old, _raw = mems_reply
    delete_its_post(registry, site, old)
    assert forge_admin("mail-in-reprocess", old._id, input="n\n").exit_code == 1
    assert live_posts(guide) == [] and InboundMail.query.get(_id=old._id).replaced_by is None
    # another reprocess holds the claim
    collection(InboundMail).update_one({"_id": old._id},
                                       {"$set": {"replaced_by": "claimed:other"}})
    refused(forge_admin("mail-in-reprocess", old._id, "--yes"), "being reprocessed now")
    assert live_posts(guide) == []
    # a claim younger than STALE_CLAIM_SECONDS holds; an older one was left by a
    # process killed half-way, and is taken over
    recent = "claimed:%d:other" % (time.time() - 60)
    collection(InboundMail).update_one({"_id": old._id}, {"$set": {"replaced_by": recent}})
    refused(forge_admin("mail-in-reprocess", old._id, "--yes"), "being reprocessed now")
    left = "claimed:%d:other" % (time.time() - STALE_CLAIM_SECONDS - 60)
    collection(InboundMail).update_one({"_id": old._id}, {"$set": {"replaced_by": left}})
    ok(forge_admin("mail-in-reprocess", old._id, "--yes"))
    assert len(live_posts(guide)) == 1
