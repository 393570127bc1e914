"""Commits that name tickets: the tracker's reactor on ``scm.commit``.

A commit message saying ``fixes #12``, ``closes #12`` or ``refs #12`` (also
``fixes tickets:#12`` / ``[tickets:#12]`` for the tracker mounted at
``tickets``, and ``demo:tickets:#12`` for another project's; several refs may
follow one keyword: ``fixes #1, #2 and #3``) gets one comment on each ticket,
linking the commit; ``fixes`` and ``closes`` on the repository's default
branch also close the ticket (the first of the tracker's closed states named
"fixed" or "closed", else its first closed state).

Who acts: the forge user whose verified address is the commit's author
e-mail, else its committer's (who applied someone's patch: the comment then
names the author); else nobody (the comment is the system's and names the
author, an "unlinked author").  Only tickets that user may ``update`` are touched; for an
unlinked author, tickets the pusher may ``update`` (a push cannot make a
stranger comment where the pusher could not).

Delivery is at least once, so each (ticket, commit) is done once:
``CommitReference`` (``_id`` = ``{ticket id}:{sha}``) records the comment's id
and whether the close was done; a worker killed between the comment's flush and
that record finds the comment again on redelivery by the commit's link in the
ticket's thread, and posts no second one.  The records are deleted once older
than ``forge.bus.keep_days`` (0 keeps them; the window in which the bus
redelivers an event), at most once an hour per process (``maybe_prune``); a
commit pushed again after that (its branch deleted, then restored) finds its
comment by the link and posts none, but closes the ticket again when it lands
on the default branch.
"""
import logging
import time
from urllib.parse import urlsplit

from ming.odm import FieldProperty, MappedClass

from forge.api import (ActionError, ArtifactRef, NodeResolver, User, add_post, can, collection,
                       keyword_pattern, keyword_references, mail_request, mark_for,
                       markdown_escape, may_quote, on_default_branch, post_containing,
                       pruning_due, referenced_artifact, session,
                       user_by_verified_email, user_principals)

from .resources import ITicket

log = logging.getLogger(__name__)

REACTOR_NAME = "tracker.commit_refs"
KEYWORDS = {"fix": "fixed", "fixes": "fixed", "fixed": "fixed",
            "close": "closed", "closes": "closed", "closed": "closed",
            "ref": None, "refs": None, "references": None}     # None: a mere reference
KEYWORD = keyword_pattern(KEYWORDS)
MAX_REFS = 20           # per commit: a message listing hundreds is not a fix note
MAX_QUOTED = 2000       # characters of the commit message quoted in the comment
REFUSED = "refused"     # CommitReference.post_id of a comment the discussion refused
PRUNE_EVERY_SECONDS = 3600.0


class CommitReference(MappedClass):
    """One commit's reference to one ticket, done (at most) once."""

    class __mongometa__:
        session = session
        name = "tracker_commit_ref"
        indexes = [("created",)]

    _id = FieldProperty(str)            # "{ticket id}:{commit sha}"
    ticket_id = FieldProperty(str)
    sha = FieldProperty(str)
    post_id = FieldProperty(str, if_missing="")
    close_done = FieldProperty(bool, if_missing=False)
    created = FieldProperty(float, if_missing=time.time)


class TicketRef(ArtifactRef):
    """A ticket a commit names; ``status_word``: "fixed"/"closed", or None (refs)."""

    status_word = property(lambda self: self.meaning)


def parse_refs(message):
    """The tickets a commit message names, in order, one per target (a close
    wins over a mere reference to the same ticket)."""
    return keyword_references(message, KEYWORDS, MAX_REFS, KEYWORD, ref_class=TicketRef)


def on_commit(event, context):
    """The reactor (``fn(event, context)``) on ``scm.commit``."""
    detail = event.get("detail") or {}
    registry = context.registry
    maybe_prune(registry)
    refs = parse_refs(detail.get("message", ""))
    if not refs or not detail.get("sha"):
        return
    with mail_request(registry) as request:    # on forge.base_url, with the root
        code_tool = NodeResolver(request).tool(event.get("tool_id"))
        if code_tool is None:
            return              # the repository was removed since the push
        author, wrote_it = linked_user(detail)
        pusher = User.query.get(_id=event["actor_id"]) if event.get("actor_id") else None
        judge = author if author is not None else pusher
        if judge is None or judge.disabled:
            return
        principals = user_principals(judge)
        on_default = on_default_branch(registry, event)
        for ref in refs:
            ticket = referenced_artifact(code_tool.__parent__, ref, ITicket)
            if ticket is None or not can(ticket, principals, "update"):
                continue        # missing, or not this person's to change: say nothing
            apply_ref(registry, request, code_tool, ticket, ref, detail, author,
                      close=on_default and ref.status_word is not None,
                      may_moderate=can(ticket, principals, "moderate"), named=wrote_it)


def linked_user(detail):
    """(the forge user who acts for the commit, whether they wrote it): the
    user whose verified address is the author's, else the committer's (events
    from before the committer was carried have the author's only)."""
    author = user_by_verified_email(detail.get("email"))
    if author is not None:
        return author, True
    return user_by_verified_email(detail.get("committer_email")), False


def apply_ref(registry, request, code_tool, ticket, ref, detail, author, close, may_moderate,
              named=True):
    """The comment (once), then the close (once).  ``named``: ``author`` wrote
    the commit (else they committed it, and the comment names its author)."""
    sha = detail["sha"]
    doc = ticket.doc
    mark_id = "%s:%s" % (doc._id, sha)
    mark = mark_for(CommitReference, mark_id, ticket_id=doc._id, sha=sha)
    commit_url = root_relative(request.forge_url(code_tool, "commit", sha))
    if not mark.post_id:
        # a worker died after posting it, before recording it: the link finds it
        post_id = post_containing(doc, "](%s)" % commit_url)
        if post_id is None:
            try:
                text = comment_text(code_tool, ticket, detail, ref,
                                    author if named else None, commit_url)
                post = add_post(registry, ticket, text,
                                author, source="scm", may_skip_moderation=True,
                                trusted=may_moderate)
                post_id = post._id
            except ActionError as refused:
                # a locked discussion, an auditor's refusal: a retry would be refused
                # again, so it is recorded as done; the close does not depend on it
                log.info("commit %s: no comment on ticket %s: %s", sha[:10], doc._id, refused)
                post_id = REFUSED
        mark.post_id = post_id
        session.flush(mark)
    if close and not mark.close_done:
        close_ticket(registry, ticket, ref, detail, author)
        mark.close_done = True
        session.flush(mark)


def close_ticket(registry, ticket, ref, detail, author):
    # imported when used: the tracker's actions are being ported onto the core's
    # artifact types in parallel; only set_status and tracker_settings are called
    from .actions import set_status, tracker_settings
    doc = ticket.doc
    options = tracker_settings(ticket.tool_node.doc)
    if options.is_closed(doc.status) or not options.closed_states:
        return
    preferred = [ref.status_word, "closed", "fixed"]
    status = next((s for s in preferred if s in options.closed_states),
                  options.closed_states[0])
    # a save racing ours makes this stale (StaleSave): the bus retries the event
    set_status(registry, doc, doc.version, status, author,
               comment="%s by commit %s" % (status.capitalize(), detail["sha"][:10]),
               source="scm")


def comment_text(code_tool, ticket, detail, ref, author, commit_url):
    """The comment's Markdown: what the commit did, its link, and (when
    everyone who reads the ticket may read the repository) its branch, author
    and message; a private repository's text never reaches a wider audience."""
    verb = "Fixed" if ref.status_word == "fixed" else \
        "Closed" if ref.status_word == "closed" else "Referenced"
    link = "[`%s`](%s)" % (detail["sha"][:10], commit_url)
    if not may_quote(code_tool, ticket):
        return ("%s in commit %s (not everyone who may read this ticket may read the "
                "repository, so the commit is not quoted here)." % (verb, link))
    branch = (detail.get("ref") or "").rpartition("/")[2].replace("`", "")
    who = "" if author is not None else " by %s (not a forge user)" % markdown_escape(
        detail.get("author") or "someone")
    lines = ["%s in commit %s%s%s:" % (verb, link, " on `%s`" % branch if branch else "", who),
             ""]
    message = (detail.get("message") or "").strip()[:MAX_QUOTED]
    lines.extend("> " + markdown_escape(line) if line.strip() else ">"
                 for line in message.splitlines())
    return "\n".join(lines)


def prune_commit_references(keep_seconds, now=None):
    """Delete the ``CommitReference`` records older than ``keep_seconds``; how many."""
    cutoff = (now if now is not None else time.time()) - keep_seconds
    return collection(CommitReference).delete_many({"created": {"$lt": cutoff}}).deleted_count


def maybe_prune(registry):
    """``prune_commit_references`` for as long as the bus guards against
    redeliveries (``redelivery_seconds``), at most once per
    ``PRUNE_EVERY_SECONDS`` in this process; None when it did not run."""
    keep_seconds = pruning_due(registry, "tracker_commit_refs_pruned_at", PRUNE_EVERY_SECONDS)
    return None if keep_seconds is None else prune_commit_references(keep_seconds)


def root_relative(url):
    """``/p/demo/code/commit/SHA`` (with the forge's mount prefix): the comment
    is read on this forge, whatever host name it is reached by."""
    parts = urlsplit(url)
    return parts.path


def includeme(config):
    # idempotent: each (ticket, commit) is done once by CommitReference, so the
    # worker keeps no processed markers of its own for this reactor
    config.add_reactor("scm.commit", on_commit, name=REACTOR_NAME, idempotent=True)
