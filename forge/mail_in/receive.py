"""Applying a received message: who it is from, what it is for, and the change.

``check_recipient`` (``forge.mail_in.recipients``) answers ``RCPT TO``;
``apply_message`` answers ``DATA`` with one ``Outcome`` per recipient.  Each
accepted message is one ``mail.received`` unit of work
(``forge.unit_of_work.change``): its auditors first, then the tool's normal
action (the core's ``add_post`` for a reply or a comment to an artifact's
address; the tool's mail handler for a new artifact), the ``InboundMail``
record and the event, one flush.  A tool whose mail policy is ``moderated``
keeps a new artifact's message as held instead (``forge.mail_in.held``).  So
activity, search, watches, live events and outbound mail follow as for the
same change made on the web, and the sender is not mailed their own message
(they are the change's actor).  A refusal at any step saves nothing and is
answered with a 5xx the sending server reports to the sender; an unexpected
failure is a 451 (the sending server tries again later), never a crash.

Automatic mail (auto-replies, bounces, bulk, a null sender) is accepted and
dropped, so no two programs mail each other forever; each sender may have
``forge.mail_in.max_per_sender`` messages applied per window (then 451),
counted in a shared counter that each process leases a few counts of at a
time (``forge.rate_limits.LeasedLimit``: never more than the limit across
processes).
"""
import logging
import time
from io import BytesIO

from ..actions import ActionError
from ..attachments import AttachmentTooLarge, max_bytes
from ..discussion.actions import MAX_UPLOADS, add_post
from ..model import User, session
from ..model.cache import cached_find, one_bump
from ..model.registry_objects import registry_object
from ..rate_limits import LeasedLimit
from ..security import can
from ..unit_of_work import change
from .addresses import ArtifactAddress, Reply, ToolAddress, parse_address
from .events import MailReceived
from .handlers import ToolMail
from .model import InboundMail, delete_raw, keep_raw
from .parsing import Unreadable, parse_message
from .policy import MODERATED, REFUSED, mail_policy
from .recipients import (NO_SUCH_ADDRESS, TAKES_NO_MAIL, Outcome, Refused,  # noqa: F401
                         artifact_target, check_recipient, message_unit, principals_of,
                         refuse, reply_target, tool_target)
from .reprocess import duplicate_query, link_replacement

log = logging.getLogger(__name__)
HELD = Outcome(250, "2.0.0 Received; a moderator will look at it before others can see it.")


# -- messages --------------------------------------------------------------------------

def apply_message(registry, raw, envelope_from, recipients, seen=None):
    """[Outcome] for each of ``recipients`` (``raw``: the message's bytes;
    ``seen``: where ``RCPT TO`` found their artifacts, see ``recipients``)."""
    def same(outcome):
        return [outcome] * len(recipients)
    try:
        mail = parse_message(raw)
    except Unreadable as error:
        return same(Outcome(550, "5.6.0 %s" % error))
    envelope_from = (envelope_from or "").strip().strip("<>")
    if not envelope_from or mail.automatic:
        log.info("mail in: automatic message from %r ignored (%s)", envelope_from,
                 mail.automatic or "null sender")
        return same(Outcome(250, "2.6.0 Automatic message received and ignored."))
    settings = registry.settings
    try:        # the shared counter, leased a few at a time: the session only
        wait = sender_limit(registry).take("mail_in:%s" % envelope_from.lower(),
                                           settings["forge.mail_in.max_per_sender"],
                                           settings["forge.mail_in.sender_window_seconds"],
                                           time.time())
    finally:
        session.close()
    if wait:
        return same(Outcome(451, "4.7.1 Too many messages from this sender; try again in "
                                 "%d minutes." % max(1, int(wait // 60))))
    seen = seen or {}
    return [apply_to(registry, raw, mail, envelope_from, recipient,
                     seen.get(recipient, (None, None))) for recipient in recipients]


def sender_limit(registry):
    """The per-sender counts of this process (``forge.rate_limits.LeasedLimit``)."""
    return registry_object(registry, "forge_mail_in_senders", LeasedLimit)


def apply_to(registry, raw, mail, envelope_from, recipient, seen_at=(None, None)):
    try:
        with message_unit(registry) as request:
            target = parse_address(registry.settings, recipient)
            if already_applied(mail, recipient):
                return Outcome(250, "2.0.0 Received already (the same Message-ID).")
            if isinstance(target, Reply):
                held = apply_reply(request, raw, mail, envelope_from, recipient, target,
                                   seen_at)
            elif isinstance(target, ToolAddress):
                held = apply_new(request, raw, mail, envelope_from, recipient, target)
            elif isinstance(target, ArtifactAddress):
                held = apply_comment(request, raw, mail, envelope_from, recipient, target,
                                     seen_at)
            else:
                return NO_SUCH_ADDRESS
        return HELD if held else Outcome(250, "2.0.0 Received, thank you.")
    except Refused as refused:
        return refused.outcome
    except AttachmentTooLarge as error:
        return Outcome(552, "5.3.4 %s" % error)
    except ActionError as error:                    # auditors' and actions' refusals
        return Outcome(550, "5.7.1 %s" % error)
    except Exception:
        log.exception("mail in: applying a message to %s failed", recipient)
        return Outcome(451, "4.3.0 The forge could not take this message now; "
                            "try again later.")


def already_applied(mail, recipient):
    """A sending server that lost our 250 (a dropped connection) sends the
    message again: the same Message-ID to the same address is applied once
    (a reprocess: once more, ``forge.mail_in.reprocess.duplicate_query``)."""
    return bool(mail.message_id) and InboundMail.query.find(
        duplicate_query(recipient, mail.message_id)).first() is not None


def checked_text(mail):
    if not mail.text.strip():
        refuse(550, "5.6.0 The message has no text of its own (only quotes, a "
                     "signature, or nothing).")
    return mail.text


def uploads_of(registry, mail):
    """The attachments as uploads, within the attachment limits (else refused)."""
    if len(mail.attachments) > MAX_UPLOADS:
        refuse(552, "5.3.4 A message may carry at most %d attachments." % MAX_UPLOADS)
    limit = max_bytes(registry.settings)
    for attachment in mail.attachments:
        if len(attachment.data) > limit:
            raise AttachmentTooLarge(limit)
    return [(a.filename, BytesIO(a.data), a.content_type) for a in mail.attachments]


def _received(registry, mail, raw, user, recipient, envelope_from, kind, **detail):
    """The ``mail.received`` unit of work (see the module docstring)."""
    return change(registry, MailReceived, node_type=InboundMail, actor=user, source="mail",
                  new={"subject": mail.subject, "text": mail.text,
                       "attachments": [a.filename for a in mail.attachments]},
                  kind=kind, recipient=recipient, sender=mail.sender,
                  envelope_from=envelope_from, **detail)


def record(ch, mail, raw, kept, user, recipient, envelope_from, kind, node, post,
           status="applied"):
    """The ``InboundMail`` of an applied message (``node``: what it commented on
    or made) or of a held one (``node``: the tool); ``kept``: ``keep_raw``'s
    answer."""
    doc = node.doc
    tool_id = doc._id if status == "held" else doc.tool_id
    artifact_id = None if status == "held" else doc._id
    ch.node = InboundMail(kind=kind, status=status, sender=mail.sender,
                          envelope_from=envelope_from, recipient=recipient.lower(),
                          message_id=mail.message_id, subject=mail.subject[:250],
                          user_id=user._id, project_id=doc.project_id, tool_id=tool_id,
                          artifact_id=artifact_id,
                          post_id=post._id if post is not None else None,
                          raw_file_id=kept[0], raw=kept[1], length=len(raw))
    ch.event_detail.update(kind=kind, status=status, artifact_id=artifact_id,
                           post_id=post._id if post is not None else None)
    link_replacement(ch, ch.node, doc)


def apply_reply(request, raw, mail, envelope_from, recipient, target, seen_at=(None, None)):
    """A reply to a notification: a comment by the token's user.  True when held."""
    user, principals, node = reply_target(request, target, seen_at)
    post = post_comment(request, raw, mail, envelope_from, recipient, "reply", user, node,
                        may_skip_moderation=can(node, principals, "unmoderated_post"),
                        trusted=can(node, principals, "moderate"))
    return post.status != "ok"


def apply_comment(request, raw, mail, envelope_from, recipient, target,
                  seen_at=(None, None)):
    """Mail to an artifact's address: a comment by the verified sender, held
    for a moderator when the tool's policy is ``moderated``.  True when held."""
    node = artifact_target(request, target, seen_at)
    user = verified_sender(request, mail)
    principals = principals_of(request, user)
    if not can(node, principals, "read"):
        raise Refused(NO_SUCH_ADDRESS)
    policy = mail_policy(node.tool_node.doc)
    if policy == REFUSED:
        raise Refused(TAKES_NO_MAIL)
    if not can(node, principals, "post"):
        refuse(550, "5.7.1 You may not comment there.")
    trusted = can(node, principals, "moderate")
    skip = trusted or (policy != MODERATED and can(node, principals, "unmoderated_post"))
    post = post_comment(request, raw, mail, envelope_from, recipient, "comment", user, node,
                        may_skip_moderation=skip, trusted=trusted)
    return post.status != "ok"


def post_comment(request, raw, mail, envelope_from, recipient, kind, user, node,
                 may_skip_moderation, trusted):
    registry = request.registry
    checked_text(mail)
    uploads = uploads_of(registry, mail)
    doc = node.doc
    with _received(registry, mail, raw, user, recipient, envelope_from, kind,
                   artifact_id=doc._id, project_id=doc.project_id, tool_id=doc.tool_id) as ch:
        kept = keep_raw(raw, "%s-%s.eml" % (kind, doc._id))
        try:
            # the comment and its thread's counters: one generation bump (was
            # one per write), made before the events go out
            with one_bump():
                post = add_post(registry, node, ch.new["text"], user, uploads=uploads,
                                source="mail", may_skip_moderation=may_skip_moderation,
                                trusted=trusted)
            record(ch, mail, raw, kept, user, recipient, envelope_from, kind, node, post)
        except BaseException:
            delete_raw(kept[0])
            raise
    return post


def verified_sender(request, mail):
    """The user whose verified address the message is from, or ``Refused``
    (read through the tree cache, as a reply's user)."""
    users = cached_find(request, User, {"email": mail.sender}) if mail.sender else []
    user = users[0] if users else None
    if user is None or user.disabled:
        refuse(550, "5.7.1 Mail to this address is taken only from the verified "
                     "address of a forge account.")
    return user


def apply_new(request, raw, mail, envelope_from, recipient, target):
    """Mail to a tool's address: the tool's handler makes an artifact (or, with
    the ``moderated`` policy, the message waits for a moderator).  True when held."""
    registry = request.registry
    tool = tool_target(request, target)
    user = verified_sender(request, mail)
    principals = principals_of(request, user)
    if not can(tool, principals, "read"):
        raise Refused(NO_SUCH_ADDRESS)
    policy = mail_policy(tool.doc)
    if policy == REFUSED:
        raise Refused(TAKES_NO_MAIL)
    checked_text(mail)
    if not mail.subject.strip():
        refuse(550, "5.6.0 The message has no subject; it becomes the title.")
    uploads = uploads_of(registry, mail)
    held = policy == MODERATED and not can(tool, principals, "moderate")
    with _received(registry, mail, raw, user, recipient, envelope_from, "new",
                   project_id=tool.doc.project_id, tool_id=tool.doc._id) as ch:
        kept = keep_raw(raw, "new-%s.eml" % tool.doc._id)
        try:
            if held:
                record(ch, mail, raw, kept, user, recipient, envelope_from, "new", tool,
                       None, status="held")
            else:
                # the artifact, its number, first version, reporter's watch and
                # attachments (several flushes and counters): one generation
                # bump, made before the events go out
                with one_bump():
                    node, post = apply_handler(registry, request, tool, user, principals,
                                               ch.new["subject"], ch.new["text"], uploads)
                record(ch, mail, raw, kept, user, recipient, envelope_from, "new", node, post)
        except BaseException:
            delete_raw(kept[0])
            raise
    return held


def apply_handler(registry, request, tool, user, principals, subject, text, uploads):
    """(node, post) the tool's mail handler made."""
    handler = registry.forge_mail_handlers[tool.doc.tool]
    return handler(ToolMail(registry=registry, request=request, tool=tool, user=user,
                            principals=principals, subject=subject, text=text,
                            uploads=uploads))
