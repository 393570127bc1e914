"""Mail to the watchers of a repository about pushed commits: one message per
push, listing its commits (the ``code.commit_mail`` reactor on ``scm.commit``).

The bus carries one ``scm.commit`` event per commit, so the reactor gathers a
push's commits before it mails: each event's commit is recorded under its push
(``PushedCommit``, ``_id`` = ``{push}:{sha}``), and the event that completes the
push (its recorded commits reach ``push_size``, whatever order a retry brought
them in) sends the message.  A push is named by the events' ``push_id`` (with
``push_size`` and ``push_index``); an event without one is a push of its own
commit, so such events are mailed one each.

Recipients are the forge's watchers (``forge.notifications``): those watching
the repository, its project or a parent project since before the push, but not
the pusher, who may ``read`` the repository now (the policy's principals for
that user), have an address and chose mail for each change.  Those who chose
the daily digest get the push as one item of it instead (``queue_for_digest``:
"N new commits on BRANCH by USER" and the subjects, keyed by push and user; the
digest asks again whether they may read the repository when it is sent).  A
forge that sends no mail records the push in each such watcher's in-app
notifications instead (``record_in_app``; enabled users who may read it).
``PushMailSent`` (``{push}:{user}``) keeps a retried event (SMTP down) from
mailing anyone twice.

Neither record grows for ever: a push's ``PushedCommit`` records are deleted
once its message went to everyone (a later redelivery of one of its events
gathers no full push again, and ``PushMailSent`` still stops a one-commit
push), and both are deleted once older than ``forge.bus.keep_days`` (0 keeps
them), the window in which the bus redelivers an event: the reactor does it
at most once an hour per process (``maybe_prune``).
"""
import time

from ming.odm import FieldProperty, MappedClass
from pymongo.errors import DuplicateKeyError

from forge.api import (NodeResolver, User, build_message, can, collection, frequency_of,
                       lineage_watchers, mail_request, pruning_due, queue_for_digest,
                       recipient, record_in_app, session, unsubscribe_url, user_principals)

REACTOR_NAME = "code.commit_mail"
TEMPLATE = "tools.code:templates/code/push_mail.jinja2"
MAX_LISTED = 100        # commits listed in one message; the rest are counted
PRUNE_EVERY_SECONDS = 3600.0


class PushedCommit(MappedClass):
    """One commit of a push, recorded until the push is mailed."""

    class __mongometa__:
        session = session
        name = "code_pushed_commit"
        indexes = [("push",), ("timestamp",)]

    _id = FieldProperty(str)            # "{push}:{sha}"
    push = FieldProperty(str)
    tool_id = FieldProperty(str)
    position = FieldProperty(int)       # the commit's place in the push, oldest first
    sha = FieldProperty(str)
    subject = FieldProperty(str)
    author = FieldProperty(str)
    ref = FieldProperty(str)
    timestamp = FieldProperty(float)


class PushMailSent(MappedClass):
    """A push mailed to one user (a retry skips them)."""

    class __mongometa__:
        session = session
        name = "code_push_mail_sent"
        indexes = [("timestamp",)]

    _id = FieldProperty(str)            # "{push}:{user id}"
    timestamp = FieldProperty(float)


def push_of(event):
    """(push key, size, this commit's position) of an ``scm.commit`` event."""
    detail = event.get("detail") or {}
    if detail.get("push_id"):
        return (str(detail["push_id"]), max(1, int(detail.get("push_size") or 1)),
                int(detail.get("push_index") or 0))
    return event["id"], 1, 0


def mail_push(event, context):
    """The reactor (``fn(event, context)``) on ``scm.commit``."""
    detail = event.get("detail") or {}
    registry = context.registry
    maybe_prune(registry)
    if not detail.get("sha") or not event.get("tool_id"):
        return
    push, size, position = push_of(event)
    record(push, position, event, detail)
    commits = list(collection(PushedCommit).find({"push": push}).sort("position", 1))
    if len(commits) < size:
        return              # the push's other commits are still on their way
    with mail_request(registry) as request:
        tool = NodeResolver(request).tool(event["tool_id"])
        if tool is None:
            return          # the repository is gone: its name may have been private
        tell_watchers(request, event, tool, push, commits)
    # everyone got it (a failed send raised above and the bus retries the event)
    collection(PushedCommit).delete_many({"push": push})


def record(push, position, event, detail):
    try:
        collection(PushedCommit).insert_one({
            "_id": "%s:%s" % (push, detail["sha"]), "push": push,
            "tool_id": event["tool_id"], "position": position, "sha": detail["sha"],
            "subject": str(detail.get("subject") or "")[:300],
            "author": str(detail.get("author") or "")[:200],
            "ref": str(detail.get("ref") or ""), "timestamp": time.time()})
    except DuplicateKeyError:
        pass                # a second delivery of this commit


def tell_watchers(request, event, tool, push, commits):
    """A message to each watcher who chose one per change, a digest item to
    each who chose the digest; on a forge without mail, an in-app item each."""
    registry = request.registry
    mailing = registry.forge_mailer.enabled
    pusher_id = event.get("actor_id")
    description = None
    for user_id, watched_id in sorted(lineage_watchers(tool, event.get("timestamp")).items()):
        frequency = frequency_of(user_id)
        if user_id == pusher_id or frequency not in ("each", "digest"):
            continue
        user = recipient(user_id, tool) if mailing else reader(user_id, tool)
        if user is None:
            continue
        if description is None:
            description = describe_push(request, tool, commits, pusher_id)
        if not mailing:
            record_in_app(user_id, push_event(event, push, description))
            continue
        if frequency == "digest":
            queue_for_digest(user_id, push_event(event, push, description))
            continue
        sent_id = "%s:%s" % (push, user_id)
        if collection(PushMailSent).find_one({"_id": sent_id}) is not None:
            continue        # mailed before a failure made the bus retry this event
        message = build_message(request, user, description["subject"], TEMPLATE,
                                {"push": description},
                                unsubscribe_url(request, user_id, "w:%s" % watched_id))
        registry.forge_mailer.send(message)         # raises: the bus retries
        try:
            collection(PushMailSent).insert_one({"_id": sent_id, "timestamp": time.time()})
        except DuplicateKeyError:
            pass


def reader(user_id, tool):
    """The enabled ``User`` who may read the repository now, or None."""
    user = User.query.get(_id=user_id)
    if user is None or user.disabled or not can(tool, user_principals(user), "read"):
        return None
    return user


def push_event(event, push, description):
    """The push as a digest or in-app item keeps it: the node and actor of the
    event that completed it, named by the push (one item per push and user,
    whichever event completed it), its detail the push's summary and subjects."""
    total = len(description["commits"]) + description["more"]
    subjects = [c["subject"] for c in description["commits"][:10]]
    more = total - len(subjects)
    summary = "%d new commit%s on %s by %s" % (
        total, "" if total == 1 else "s",
        ", ".join(description["refs"]) or "a deleted branch", description["pusher"])
    named = ("node_type", "node_id", "project_id", "tool_id", "actor_id", "timestamp")
    return dict({key: event.get(key) for key in named}, id="push:%s" % push,
                topic="scm.push", source="scm", detail={
                    "summary": summary,
                    "summary_text": "; ".join(subjects) + (" and %d more" % more if more else "")})


def describe_push(request, tool, commits, pusher_id):
    pusher = User.query.get(_id=pusher_id) if pusher_id else None
    project = tool.__parent__
    refs = sorted({c["ref"].rpartition("/")[2] for c in commits if c.get("ref")})
    count = len(commits)
    subject = "[%s] %s: %d new commit%s on %s by %s" % (
        project.title, tool.title, count, "" if count == 1 else "s",
        ", ".join(refs) or "a deleted branch", pusher.username if pusher else "someone")
    listed = [{"short": c["sha"][:10], "subject": c["subject"], "author": c["author"],
               "url": request.forge_url(tool, "commit", c["sha"])}
              for c in commits[:MAX_LISTED]]
    return {"subject": subject, "commits": listed, "more": max(0, count - MAX_LISTED),
            "pusher": pusher.username if pusher else "someone", "refs": refs,
            "repository": "%s › %s" % (project.title, tool.title),
            "log_url": request.forge_url(tool, "commits", *(refs[0].split("/") if refs else ()))
            if len(refs) == 1 else request.forge_url(tool)}


def prune_push_records(keep_seconds, now=None):
    """Delete ``PushedCommit`` and ``PushMailSent`` records older than
    ``keep_seconds``: (commits removed, mail marks removed)."""
    cutoff = (now if now is not None else time.time()) - keep_seconds
    return tuple(collection(model).delete_many({"timestamp": {"$lt": cutoff}}).deleted_count
                 for model in (PushedCommit, PushMailSent))


def maybe_prune(registry):
    """``prune_push_records`` for as long as the bus guards against
    redeliveries (``redelivery_seconds``), at most once per
    ``PRUNE_EVERY_SECONDS`` in this process; None when it did not run."""
    keep_seconds = pruning_due(registry, "code_push_records_pruned_at", PRUNE_EVERY_SECONDS)
    return None if keep_seconds is None else prune_push_records(keep_seconds)


def includeme(config):
    # idempotent: commits are recorded by push and sha, mails by push and user
    config.add_reactor("scm.commit", mail_push, name=REACTOR_NAME, idempotent=True)
