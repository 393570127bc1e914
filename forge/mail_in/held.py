"""Messages held for a moderator: mail to the address of a tool whose policy
is ``moderated`` (``forge.mail_in.policy``).

A held message is an ``InboundMail`` with ``status="held"`` and its raw
bytes, kept when it arrived after its ``mail.received`` auditors (so spam
never waits in the queue).  Someone with ``moderate`` (or ``admin``) on the
tool approves it on the tool's ``@@mail-in`` page: the message is read
again and applied as the sender through the same path as when it arrives
(the auditors again, the tool's handler, the event); the record becomes
``applied`` and names what it made.  The sender is checked again: a closed
account, or one that may no longer read the tool, cannot be approved (only
discarded).  Discarding deletes the record and the raw message.
"""
from ..actions import ActionError
from ..model import User
from ..security import can, user_principals
from ..unit_of_work import change
from .model import InboundMail, delete_raw, raw_message
from .parsing import Unreadable, parse_message
from .recipients import Refused

PAGE = 50


class NotWaiting(ActionError):
    status = 404


def held_messages(tool_doc, limit=PAGE):
    """The messages waiting for a moderator of the tool, oldest first."""
    return InboundMail.query.find({"tool_id": tool_doc._id, "status": "held"}) \
        .sort("created", 1).limit(limit).all()


def _held(tool_doc, record_id):
    held = InboundMail.query.get(_id=record_id, tool_id=tool_doc._id, status="held") \
        if record_id else None
    if held is None:
        raise NotWaiting("That message is no longer waiting (approved or discarded "
                         "meanwhile?).")
    return held


def approve_held(request, tool, record_id, moderator):
    """Apply the held message ``record_id`` of ``tool`` (a resource) as its
    sender; returns the node it made."""
    from .receive import _received, apply_handler, checked_text, uploads_of
    registry = request.registry
    held = _held(tool.doc, record_id)
    sender = User.query.get(_id=held.user_id)
    if sender is None or sender.disabled:
        raise ActionError("The sender's account is closed: the message can only be "
                          "discarded.")
    principals = user_principals(sender)
    if not can(tool, principals, "read"):
        raise ActionError("The sender may no longer read this tool: the message can "
                          "only be discarded.")
    raw = raw_message(held)
    try:
        mail = parse_message(raw)
        checked_text(mail)
        uploads = uploads_of(registry, mail)
    except (Unreadable, Refused) as error:
        raise ActionError("The message cannot be applied: %s" % error)
    with _received(registry, mail, raw, sender, held.recipient, held.envelope_from, "new",
                   project_id=tool.doc.project_id, tool_id=tool.doc._id,
                   approved_by=moderator._id) as ch:
        node, post = apply_handler(registry, request, tool, sender, principals,
                                   ch.new["subject"], ch.new["text"], uploads)
        held.status = "applied"
        held.artifact_id = node.doc._id
        held.post_id = post._id if post is not None else None
        ch.node = held
        ch.log("mail_in.approved", "approved the mail “%s” from %s" % (
            held.subject, held.sender), node=tool.doc, approved_by=moderator._id)
        ch.event_detail.update(kind="new", status="applied", artifact_id=node.doc._id,
                               post_id=held.post_id, approved_by=moderator._id)
    return node


def discard_held(registry, tool, record_id, moderator):
    """Delete the held message ``record_id`` of ``tool`` and its raw bytes."""
    held = _held(tool.doc, record_id)
    with change(registry, None, node=held, actor=moderator, new={"status": "discarded"},
                auditors=False) as ch:
        ch.log("mail_in.discarded", "discarded the mail “%s” from %s" % (
            held.subject, held.sender), node=tool.doc)
        held.delete()
    delete_raw(held.raw_file_id)
