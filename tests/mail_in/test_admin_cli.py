"""``forge admin mail-in-log`` and ``mail-in-show``: the received messages,
newest first and filtered, and a message's exact bytes."""
import time

from forge.discussion.actions import delete_post
from forge.discussion.model import Post
from forge.mail_in.addresses import artifact_address, reply_address
from forge.mail_in.model import INLINE_RAW_BYTES, InboundMail
from forge.model import session

from .admin_cli_helpers import deliver, forge_admin, ok, refused  # noqa: F401
from .test_mail_leaks import guide  # noqa: F401


def received(registry, site, guide):
    """Three applied messages: mem's reply, dev's reply, dev to the page's
    address; in that order."""
    to_mem = reply_address(registry.settings, site["mem"]._id, guide._id)
    to_dev = reply_address(registry.settings, site["dev"]._id, guide._id)
    page = artifact_address(registry.settings, "demo", "wiki", guide._id)
    sent = [("mem@example.test", to_mem, "First"), ("dev@example.test", to_dev, "Second"),
            ("dev@example.test", page, "Third")]
    for sender, to, text in sent:
        outcome, _raw = deliver(registry, sender, to, text, subject="Re: Guide " + text)
        assert outcome.accepted, outcome
        time.sleep(0.005)           # a later ``created`` (milliseconds)
    return [InboundMail.query.get(subject="Re: Guide " + text) for _s, _t, text in sent]


def test_the_log_lists_the_newest_first_with_what_each_made(registry, site, guide,
                                                            forge_admin):
    first, second, third = received(registry, site, guide)
    lines = ok(forge_admin("mail-in-log")).stdout.splitlines()
    assert [line.split()[2] for line in lines] == [third._id, second._id, first._id]
    line = lines[2]
    assert "applied  reply  mem@example.test" in line
    assert "to " + first.recipient in line and "as mem" in line and "'Re: Guide First'" in line
    assert line.endswith("/p/demo/wiki/Guide/#post-%s" % first.post_id)
    assert lines[0].split()[4] == "comment"
    # what it made is deleted: "(gone)"
    delete_post(registry, Post.query.get(_id=first.post_id), site["ada"])
    session.close()
    assert ok(forge_admin("mail-in-log")).stdout.splitlines()[2].endswith("(gone)")


def test_the_log_filters_by_sender_project_status_and_limit(registry, site, guide,
                                                            forge_admin, make_project):
    first, second, third = received(registry, site, guide)

    def ids(*args):
        return [line.split()[2] for line in ok(forge_admin("mail-in-log", *args)
                                                ).stdout.splitlines()]
    assert ids("--sender", "DEV@example.test") == [third._id, second._id]
    assert ids("--sender", "mem@example.test") == [first._id]
    assert ids("--project", "demo") == ids("--project", "/p/demo/") == [
        third._id, second._id, first._id]
    make_project("other", site["ada"])
    assert ids("--project", "other") == []
    assert ids("--status", "held") == []
    assert ids("--status", "applied", "--limit", "2") == [third._id, second._id]
    refused(forge_admin("mail-in-log", "--project", "nowhere"), "no project 'nowhere'")


def test_the_log_uses_the_collections_indexes():
    indexes = InboundMail.__mongometa__.indexes
    assert ("created",) in indexes and ("sender", "created") in indexes
    assert ("project_id", "created") in indexes


def test_show_gives_the_fields_and_the_exact_bytes(registry, site, guide, forge_admin):
    address = reply_address(registry.settings, site["mem"]._id, guide._id)
    outcome, raw = deliver(registry, "mem@example.test", address, "Short.\r\nLines\tand tabs.")
    assert outcome.accepted
    record = InboundMail.query.get(recipient=address.lower())
    assert record.raw is not None and record.raw_file_id is None        # inline
    shown = ok(forge_admin("mail-in-show", record._id)).stdout
    assert "id:               %s" % record._id in shown
    assert "applied as:       mem" in shown and "kind:             reply" in shown
    assert "/p/demo/wiki/Guide/#post-%s" % record.post_id in shown
    assert ok(forge_admin("mail-in-show", record._id, "--raw")).stdout_bytes == raw


def test_show_raw_of_a_message_kept_in_gridfs(registry, site, guide, forge_admin):
    address = reply_address(registry.settings, site["dev"]._id, guide._id)
    data = bytes(range(256)) * 400             # 100 KiB, every byte value
    outcome, raw = deliver(registry, "dev@example.test", address, "See the log é.",
                           attachments=[("build.log", data, "application", "octet-stream")])
    assert outcome.accepted and len(raw) > INLINE_RAW_BYTES
    record = InboundMail.query.get(recipient=address.lower())
    assert record.raw_file_id and record.raw is None
    assert ok(forge_admin("mail-in-show", record._id, "--raw")).stdout_bytes == raw
    assert "in GridFS" in ok(forge_admin("mail-in-show", record._id)).stdout


def test_an_unknown_id_is_a_message_not_a_traceback(registry, forge_admin):
    for command in ("mail-in-show", "mail-in-reprocess"):
        refused(forge_admin(command, "nosuchid", "--yes") if command.endswith("reprocess")
                else forge_admin(command, "nosuchid"), "no received message 'nosuchid'")
