"""Applying a kept message again (``forge admin mail-in-reprocess``).

For when what a message made was lost (its post or artifact deleted by a
mistaken moderator or spam rule) or a parser fix came out: the raw bytes are
parsed with today's parser and applied by ``forge.mail_in.receive.apply_to``
for the address the message came to, the path a fresh message takes (every
check at today's state: the reply token and its user, read and post rights,
the tool's mail policy, the ``mail.received`` auditors, spam).  Nothing is
skipped but the per-sender rate limit (an admin's one message) and the
``RCPT TO`` answer (``apply_to`` runs the same lookups again).

The new ``InboundMail`` names the one it replaces (``reprocessed_from``) and
that one names it (``replaced_by``), set in the message's unit of work, which
audit-logs the reprocess (``mail_in.reprocessed``, on what it made).  The
"one Message-ID to one address is applied once" guard skips replaced records
and the one being reprocessed, so it lets a reprocess through and still
blocks a second one, or a sending server retrying the message.  A record is
claimed first (``replaced_by`` set to a claim token, atomically), so two
reprocesses of it at once apply it once; the claim is released when the
message is not applied.  A claim names its time: one older than
``STALE_CLAIM_SECONDS`` was left by a process killed half-way (applying one
message takes well under a second), and the next reprocess takes it over.
"""
import contextlib
import contextvars
import time

from ..actions import ActionError
from ..discussion.model import Post
from ..model import Artifact
from ..model.session import new_id, session
from .model import InboundMail, raw_message
from .parsing import Unreadable, parse_message

CLAIM = "claimed:"
STALE_CLAIM_SECONDS = 600

# (the record being applied again, its claim) while ``reprocess`` runs ``apply_to``
_reprocessing = contextvars.ContextVar("mail_in_reprocessing", default=None)


class CannotReprocess(ActionError):
    """The record may not (or could not) be applied again; the message says why."""


def made_by(record):
    """What an applied record made still exists: (artifact doc or None, post or None,
    gone) where ``gone`` says the post (or, without one, the artifact) is lost."""
    artifact = Artifact.query.get(_id=record.artifact_id) if record.artifact_id else None
    post = Post.query.get(_id=record.post_id) if record.post_id else None
    if record.post_id:
        gone = post is None or post.deleted
    else:
        gone = artifact is None or artifact.deleted
    return artifact, post, gone


def duplicate_query(recipient, message_id):
    """The Message-ID guard's query: during a reprocess, records replaced by a
    newer one, and the one being reprocessed, do not count."""
    query = {"recipient": recipient.lower(), "message_id": message_id}
    old, _claim = _reprocessing.get() or (None, None)
    if old is not None:
        query.update(replaced_by=None, _id={"$ne": old._id})
    return query


def link_replacement(ch, new, node_doc):
    """In the unit of work that made ``new``: link it and the record it
    replaces, and audit-log the reprocess on ``node_doc`` (what it made, or
    the tool a held message waits in)."""
    old, claim = _reprocessing.get() or (None, None)
    if old is None:
        return
    new.reprocessed_from = old._id
    # one field set where the claim is, not the whole record saved again (its
    # raw bytes with it); should the unit's flush fail, ``reprocess`` finds
    # it naming no record and releases it
    _collection().update_one({"_id": old._id, "replaced_by": claim},
                             {"$set": {"replaced_by": new._id}})
    ch.log("mail_in.reprocessed", "reprocessed the mail “%s” from %s (received %s)" % (
        old.subject, old.sender, old.created.strftime("%Y-%m-%d %H:%M UTC")),
        node=node_doc, reprocessed_from=old._id, via="forge admin mail-in-reprocess")
    ch.event_detail.update(reprocessed_from=old._id)


def reprocess(registry, record_id):
    """Apply the record ``record_id`` again; returns (the ``Outcome``, the new
    record).  ``CannotReprocess`` when it may not be, or today's checks refuse it
    (the SMTP-style reason)."""
    from .receive import apply_to
    old = checked_record(record_id)
    raw = raw_message(old)          # read once (GridFS for a long message)
    try:
        mail = parse_message(raw)
    except Unreadable as error:
        raise CannotReprocess("Today's parser cannot read the message: %s" % error)
    claim = claim_record(old)
    outcome, new, linked = None, None, claim
    try:
        with _reprocessing_of(old, claim):
            outcome = apply_to(registry, raw, mail, old.envelope_from or "", old.recipient)
        stored = _collection().find_one({"_id": old._id}, {"replaced_by": 1}) or {}
        linked = stored.get("replaced_by") or claim
        if linked != claim:
            new = InboundMail.query.get(_id=linked)
    finally:
        if new is None:
            release(old, linked)
    if new is None:
        raise CannotReprocess("Refused today: %s" % (
            outcome.smtp() if outcome is not None else "the message was not applied"))
    return outcome, new


def find_record(record_id):
    """The ``InboundMail`` ``record_id``, or ``ActionError`` saying there is none."""
    record = InboundMail.query.get(_id=record_id) if record_id else None
    if record is None:
        raise ActionError("There is no received message %r (pruned after "
                          "forge.mail_in.keep_days?)." % record_id)
    return record


def checked_record(record_id):
    """The record, when it may be applied again; else ``CannotReprocess``."""
    try:
        old = find_record(record_id)
    except ActionError as error:
        raise CannotReprocess(str(error))
    if old.status == "held":
        raise CannotReprocess("That message is held for a moderator: approve or discard "
                              "it on its tool's @@mail-in page.")
    if old.replaced_by and not old.replaced_by.startswith(CLAIM):
        raise CannotReprocess("That message was reprocessed already (as %s)."
                              % old.replaced_by)
    # a claim left by a process killed half-way (stale) is taken over by claim_record
    if old.replaced_by and not stale_claim(old.replaced_by):
        raise CannotReprocess("That message is being reprocessed now.")
    if not old.raw_file_id and old.raw is None:
        raise CannotReprocess("That message's raw bytes are not kept.")
    if not made_by(old)[2]:
        raise CannotReprocess("What that message made still exists: applying it again "
                              "would make it twice.")
    return old


def claim_record(old):
    """Mark ``old`` as being reprocessed, unless another reprocess did first
    (a stale claim, as ``checked_record`` read it, is taken over)."""
    claim = "%s%d:%s" % (CLAIM, int(time.time()), new_id())
    left = old.replaced_by if old.replaced_by and stale_claim(old.replaced_by) else None
    taken = _collection().find_one_and_update({"_id": old._id, "replaced_by": left},
                                              {"$set": {"replaced_by": claim}})
    if taken is None:
        raise CannotReprocess("That message was reprocessed already (or is being now).")
    return claim


def stale_claim(claim, now=None):
    """Whether a claim is older than ``STALE_CLAIM_SECONDS`` (one without a
    readable time counts as fresh: never take over what may be running)."""
    try:
        claimed_at = int(claim[len(CLAIM):].split(":", 1)[0])
    except ValueError:
        return False
    return (now or time.time()) - claimed_at > STALE_CLAIM_SECONDS


def release(old, linked):
    """Undo the claim (or a link to a record whose unit of work failed)."""
    _collection().update_one({"_id": old._id, "replaced_by": linked},
                             {"$set": {"replaced_by": None}})


def _collection():
    return session.db[InboundMail.__mongometa__.name]


@contextlib.contextmanager
def _reprocessing_of(old, claim):
    token = _reprocessing.set((old, claim))
    try:
        yield
    finally:
        _reprocessing.reset(token)
