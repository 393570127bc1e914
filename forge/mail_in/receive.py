"""Applying a received message: who it is from, what it is for, and the change.

``check_recipient`` answers ``RCPT TO`` (is this an address we take mail
for, now?); ``apply_message`` answers ``DATA`` with one ``Outcome`` per
recipient.  Each accepted message is one ``mail.received`` unit of work
(``forge.unit_of_work.change``): its auditors first, then the tool's normal
action (the core's ``add_post`` for a reply; the tool's mail handler for a
new artifact), the ``InboundMail`` record and the event, one flush.  So
activity, search, watches, live events and outbound mail follow as for the
same change made on the web, and the sender is not mailed their own message
(they are the change's actor).  A refusal at any step saves nothing and is
answered with a 5xx the sending server reports to the sender; an unexpected
failure is a 451 (the sending server tries again later), never a crash.

Automatic mail (auto-replies, bounces, bulk, a null sender) is accepted and
dropped, so no two programs mail each other forever; each sender may have
``forge.mail_in.max_per_sender`` messages applied per window (then 451).
"""
import logging
import time
from dataclasses import dataclass
from io import BytesIO

from pyramid.authorization import Everyone

from ..actions import ActionError
from ..attachments import AttachmentTooLarge, max_bytes
from ..discussion.actions import MAX_UPLOADS, add_post
from ..model import Neighborhood, Project, ToolInstance, User, session
from ..model import throttle
from ..notifications.messages import mail_request
from ..security import can, user_principals
from ..unit_of_work import change
from ..visibility import NodeResolver
from .addresses import Reply, ToolAddress, parse_address
from .events import MailReceived
from .handlers import ToolMail
from .model import InboundMail, delete_raw, store_raw
from .parsing import Unreadable, parse_message

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    """An SMTP reply: ``code`` and text (with its enhanced status code)."""
    code: int
    text: str

    def smtp(self):
        return "%d %s" % (self.code, " ".join(self.text.split())[:400])

    @property
    def accepted(self):
        return self.code < 400


OK = Outcome(250, "2.1.5 OK")
NO_SUCH_ADDRESS = Outcome(550, "5.1.1 No such address here.")
# the same answer for a page that is gone and one the user may no longer read
NO_LONGER_VALID = Outcome(550, "5.1.1 This reply address is no longer valid: what it "
                               "answered is gone or closed to you.")


class Refused(Exception):
    def __init__(self, outcome):
        super().__init__(outcome.text)
        self.outcome = outcome


def _refuse(code, text):
    raise Refused(Outcome(code, text))


# -- recipients ------------------------------------------------------------------------

def reply_target(request, reply):
    """(user, principals, artifact node) of a reply address, or ``Refused``."""
    user = User.query.get(_id=reply.user_id)
    if user is None or user.disabled:
        raise Refused(Outcome(550, "5.7.1 This reply address is no longer valid: its "
                                   "account is closed."))
    principals = user_principals(user)
    node = NodeResolver(request).artifact(reply.artifact_id)
    if node is None or not can(node, principals, "read"):
        raise Refused(NO_LONGER_VALID)
    if not can(node, principals, "post"):
        raise Refused(Outcome(550, "5.7.1 You may not comment there."))
    return user, principals, node


def tool_target(request, target):
    """The resource of a tool address whose tool type takes mail, or ``Refused``."""
    neighborhood = Neighborhood.query.get(name="p")
    project = Project.query.get(neighborhood_id=neighborhood._id, shortname=target.shortname
                                ) if neighborhood is not None else None
    tool = ToolInstance.query.get(project_id=project._id, mount=target.mount) \
        if project is not None else None
    node = NodeResolver(request).tool(tool._id) if tool is not None else None
    if node is None or tool.tool not in request.registry.forge_mail_handlers:
        raise Refused(NO_SUCH_ADDRESS)
    return node


def check_recipient(registry, address, envelope_from=""):
    """The answer to ``RCPT TO:<address>`` (``Refused`` answers are returned).
    The address of a tool that not everyone may read exists only for a
    sender (``MAIL FROM``) whose account may read it: the answer never tells
    strangers the names of private projects."""
    try:
        with _unit(registry) as request:
            target = parse_address(registry.settings, address)
            if isinstance(target, Reply):
                reply_target(request, target)
            elif isinstance(target, ToolAddress):
                tool = tool_target(request, target)
                if not can(tool, [Everyone], "read"):
                    user = User.query.get(email=(envelope_from or "").lower()) \
                        if envelope_from else None
                    if user is None or user.disabled or \
                            not can(tool, user_principals(user), "read"):
                        return NO_SUCH_ADDRESS
            else:
                return NO_SUCH_ADDRESS
            return OK
    except Refused as refused:
        return refused.outcome


# -- messages --------------------------------------------------------------------------

def apply_message(registry, raw, envelope_from, recipients):
    """[Outcome] for each of ``recipients`` (``raw``: the message's bytes)."""
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
    with _unit(registry):
        wait = throttle.take("mail_in:%s" % envelope_from.lower(),
                             settings["forge.mail_in.max_per_sender"],
                             settings["forge.mail_in.sender_window_seconds"], time.time())
    if wait:
        return same(Outcome(451, "4.7.1 Too many messages from this sender; try again in "
                                 "%d minutes." % max(1, int(wait // 60))))
    return [apply_to(registry, raw, mail, envelope_from, recipient) for recipient in recipients]


def apply_to(registry, raw, mail, envelope_from, recipient):
    try:
        with _unit(registry) as request:
            target = parse_address(registry.settings, recipient)
            if already_applied(mail, recipient):
                return Outcome(250, "2.0.0 Received already (the same Message-ID).")
            if isinstance(target, Reply):
                post = apply_reply(request, raw, mail, envelope_from, recipient, target)
            elif isinstance(target, ToolAddress):
                post = apply_new(request, raw, mail, envelope_from, recipient, target)
            else:
                return NO_SUCH_ADDRESS
        if post is not None and post.status != "ok":
            return Outcome(250, "2.0.0 Received; a moderator will look at it before others "
                                "can see it.")
        return Outcome(250, "2.0.0 Received, thank you.")
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
    message again: the same Message-ID to the same address is applied once."""
    return bool(mail.message_id) and InboundMail.query.get(
        recipient=recipient.lower(), message_id=mail.message_id) is not None


def checked_text(mail):
    if not mail.text.strip():
        _refuse(550, "5.6.0 The message has no text of its own (only quotes, a "
                     "signature, or nothing).")
    return mail.text


def uploads_of(registry, mail):
    """The attachments as uploads, within the attachment limits (else refused)."""
    if len(mail.attachments) > MAX_UPLOADS:
        _refuse(552, "5.3.4 A message may carry at most %d attachments." % MAX_UPLOADS)
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


def _record(ch, mail, raw, raw_id, user, recipient, envelope_from, kind, node, post):
    doc = node.doc
    ch.node = InboundMail(kind=kind, sender=mail.sender, envelope_from=envelope_from,
                          recipient=recipient.lower(), message_id=mail.message_id,
                          subject=mail.subject[:250], user_id=user._id,
                          project_id=doc.project_id, tool_id=doc.tool_id, artifact_id=doc._id,
                          post_id=post._id if post is not None else None,
                          raw_file_id=raw_id, length=len(raw))
    ch.event_detail.update(kind=kind, artifact_id=doc._id,
                           post_id=post._id if post is not None else None)


def apply_reply(request, raw, mail, envelope_from, recipient, target):
    registry = request.registry
    user, principals, node = reply_target(request, target)
    checked_text(mail)
    uploads = uploads_of(registry, mail)
    doc = node.doc
    with _received(registry, mail, raw, user, recipient, envelope_from, "reply",
                   artifact_id=doc._id, project_id=doc.project_id, tool_id=doc.tool_id) as ch:
        raw_id = store_raw(raw, "reply-%s.eml" % doc._id)
        try:
            post = add_post(registry, node, ch.new["text"], user, uploads=uploads, source="mail",
                            may_skip_moderation=can(node, principals, "unmoderated_post"),
                            trusted=can(node, principals, "moderate"))
            _record(ch, mail, raw, raw_id, user, recipient, envelope_from, "reply", node, post)
        except BaseException:
            delete_raw(raw_id)
            raise
    return post


def verified_sender(mail):
    """The user whose verified address the message is from, or ``Refused``."""
    user = User.query.get(email=mail.sender) if mail.sender else None
    if user is None or user.disabled:
        _refuse(550, "5.7.1 Mail to this address is taken only from the verified "
                     "address of a forge account.")
    return user


def apply_new(request, raw, mail, envelope_from, recipient, target):
    registry = request.registry
    tool = tool_target(request, target)
    user = verified_sender(mail)
    if not can(tool, user_principals(user), "read"):
        raise Refused(NO_SUCH_ADDRESS)
    checked_text(mail)
    if not mail.subject.strip():
        _refuse(550, "5.6.0 The message has no subject; it becomes the title.")
    uploads = uploads_of(registry, mail)
    handler = registry.forge_mail_handlers[tool.doc.tool]
    with _received(registry, mail, raw, user, recipient, envelope_from, "new",
                   project_id=tool.doc.project_id, tool_id=tool.doc._id) as ch:
        raw_id = store_raw(raw, "new-%s.eml" % tool.doc._id)
        try:
            node, post = handler(ToolMail(
                registry=registry, request=request, tool=tool, user=user,
                principals=user_principals(user), subject=ch.new["subject"],
                text=ch.new["text"], uploads=uploads))
            _record(ch, mail, raw, raw_id, user, recipient, envelope_from, "new", node, post)
        except BaseException:
            delete_raw(raw_id)
            raise
    return post


class _unit:
    """A request on ``forge.base_url`` for one message; the session is closed
    after it, so a thread of the server starts each message afresh."""

    def __init__(self, registry):
        self.registry = registry

    def __enter__(self):
        session.close()
        self.context = mail_request(self.registry)
        return self.context.__enter__()

    def __exit__(self, *exc):
        try:
            return self.context.__exit__(*exc)
        finally:
            session.close()
