"""The ``forge.notify`` reactor: mail the watchers of a changed node.

For an artifact change (``{type}.created|updated|deleted``), a visible comment
(``{tool}.post.created`` with status "ok", ``{tool}.post.approved``), a
project created or changed, or a tool installed or removed, it

1. makes the author of a new artifact watch it (tickets' reporters, pages' and
   threads' authors: done here, in the reactor, so every tool gets it; the
   watch exists before the reactor handles the artifact's next event, since
   one queue delivers them in order), unless the artifact's watches, read for
   step 2 anyway, show they do already (the tracker's reporter);
2. resolves the node *now* by its id (``forge.visibility``: the node it was,
   along its current lineage, in an installed tool; a held or deleted comment
   resolves to nothing), and mails nothing about a node held for moderation
   (its approval is announced); then collects the watchers of it and of each
   ancestor (artifact parents, tool, project, parent projects);
3. for each watcher but the actor: skips disabled users, users who chose no
   mail and, above all, users who may not ``read`` the node at this moment
   (their principals are computed as the security policy does); then mails
   the change (preference "each") or queues it for the digest ("digest").
   A site that sends no mail keeps it as an in-app notification instead
   (``forge.notifications.in_app``).

It takes its events in batches (``forge.bus.batches``): one site request,
one query for the batch's comments and one SMTP session serve the whole
batch; when a batch call fails, the worker runs its events again one at a
time, never as first copies, so those runs read the sent markers.  Per
event it reads the watches of each level of the lineage and the watchers'
mail preferences through their own cache (the ``watches`` generation moves
with every watch or preference written), their users and principals through
the tree cache (``forge.model.cache``: the tree generation moves with every
user or role written, not with a watch), asks which of them were mailed already in one
query (the event's markers), computes each watcher's principals once for ``read``
and ``post``, renders the change's description once and sends its mail over
the batch's SMTP session; those mailed for all the batch's events are
recorded in one write when the batch ends (also when it failed half-way).

Each mail's Message-ID is ``<{event}.{user}@{domain}>`` (the same when the bus
retries), its In-Reply-To and References the artifact's
``<artifact.{id}@{domain}>``, so mail clients thread everything about one
artifact; with mail in on (``forge.mail_in.domain``) and the user allowed to
``post`` there, its Reply-To is the user's own signed reply address, and a
reply becomes their comment (``forge.mail_in``).

A failing SMTP server raises: the bus retries the event, and those already
mailed for it (``SentNotification``) are not mailed twice.
"""
import contextlib
import time

from pymongo.errors import DuplicateKeyError

from ..activity.reactor import collection_named
from ..bus.batches import takes_batches
from ..mail_in.addresses import notification_id, reply_address, thread_id
from ..model import User
from ..model.cache import cached_raw
from ..model.session import collection, find_by_ids, insert_all_new
from ..security import can, user_principals
from .composed import SharedBodies, compose
from .messages import describe, mail_request, unsubscribe_url
from .model import DIGEST, NONE, DigestItem, SentNotification, Watch
from .readers import cached_principals, stored_user
from ..visibility import NodeResolver, in_held_state
from .watches import add_watch, frequencies_of, node_doc
from . import in_app

MAILED_VERBS = ("created", "updated", "deleted", "approved", "installed", "uninstalled")
SKIP_TOPICS = ("acl.changed", "roles.changed", "project.tool.updated")
TEMPLATE = "forge:templates/notifications/change_mail.jinja2"


def is_notified(event):
    topic = event["topic"]
    return bool(event.get("project_id")) and not topic.endswith(SKIP_TOPICS) \
        and topic.rsplit(".", 1)[-1] in MAILED_VERBS and event.get("node_type") != "Thread"


@takes_batches(max_events=50, max_seconds=0.02)
def notify(events, context):
    """The reactor: a tuple of frozen bus messages (the worker hands it a
    batch: ``forge.bus.batches``), or one message.  A batch shares one site
    request (its generations read once, each artifact walked once), reads its
    comments in one query and sends all its mail over one SMTP session."""
    if not isinstance(events, tuple):
        events = (events,)
    wanted = [thaw(event) for event in events if is_notified(event)]
    if not wanted:
        return
    registry = context.registry
    # after a failed batch call the worker runs each event again alone, and
    # not as a first copy: the markers are read then (some mail went out)
    first_copy = getattr(context, "first_copy", False)
    sent = []               # [(event id, user id)] mailed, recorded in one write
    try:
        with mail_request(registry) as request, registry.forge_mailer.connection() as smtp:
            resolver = NodeResolver(request)
            posts = posts_of(wanted)
            for event in wanted:
                notify_one(request, resolver, event, posts, smtp, first_copy, sent)
    finally:
        # however the batch ends (a failure half-way included): the worker
        # then runs its events again one at a time, reading these markers
        record_all_sent(sent)


def posts_of(events):
    """{post id: stored post} of the events' comments, in one query (``_id``)."""
    return find_by_ids(collection_named("post"),
                       (e.get("node_id") for e in events if e.get("node_type") == "Post"))


def notify_one(request, resolver, event, posts, smtp, first_copy, sent=None):
    """``sent``: where the mails sent are noted, (event id, user id), for the
    caller to record (else they are recorded when this event is done)."""
    registry = request.registry
    post = None
    verb = event["topic"].rsplit(".", 1)[-1]
    if event.get("node_type") == "Post":
        # the post once: visible, then its artifact now (what resolve does)
        post = shown(posts.get(event.get("node_id")))
        if post is None or verb not in ("created", "approved"):
            return
        # walked where the event saw it first (a post's path is its artifact's)
        node = resolver.artifact(post.get("ref_id"),
                                 seen_at=(event.get("tool_id"), event.get("path")))
    else:
        node = resolver.resolve(event)
    if node is None or in_held_state(node):
        return          # gone, moved away, held: its title may not be for everyone
    levels = lineage_watches(node, request)
    if post is None and verb == "created" and getattr(node, "kind", "") == "artifact" \
            and event.get("actor_id"):
        watch_what_they_made(event["actor_id"], node, levels)
    if registry.forge_mailer.enabled:
        notify_watchers(request, event, node, post, first_copy=first_copy, smtp=smtp,
                        sent=sent, levels=levels)
    else:
        # no mail from this site: the watchers read it on /@@notifications
        for user, _watched_id, _frequency, _principals in watchers_to_tell(
                request, event, node, levels):
            in_app.record(user._id, event)


def watch_what_they_made(actor_id, node, levels):
    """The author of a new artifact watches it, unless they do already (a
    ticket's reporter, whom the tracker made watch it): told by the node's
    watches as read for the mail (``levels``), so no query, and no write, nor
    the generation's bump that would empty every process's watch cache."""
    _node_id, watches = levels[0]
    if not any(watch["user_id"] == actor_id for watch in watches):
        add_watch(actor_id, "artifact", node_doc(node))


def visible_post(post_id):
    return shown(collection_named("post").find_one({"_id": post_id}) if post_id else None)


def shown(post):
    """The stored post when it is visible (not deleted, not held), else None."""
    if post is None or post.get("deleted") or post.get("status", "ok") != "ok":
        return None
    return post


def lineage_watchers(node, since=None, request=None, levels=None):
    """{user_id: id of the nearest watched node} over the node and its
    ancestors; a watch made after ``since`` (the event's time) does not count:
    one watches from now on, not what happened before.  ``levels``: the
    lineage's watches as ``lineage_watches`` read them (else read here)."""
    if levels is None:
        levels = lineage_watches(node, request)
    nearest = {}            # user id -> the id of the nearest watched node
    for node_id, watches in levels:
        for watch in watches:
            if since is not None and (watch.get("created") or 0) > since:
                continue
            nearest.setdefault(watch["user_id"], node_id)
    return nearest


def lineage_watches(node, request=None):
    """[(node id, [its stored watches])] over the node and its watchable
    ancestors (artifact parents, tool, project, parent projects), nearest
    first.  One indexed query per level: a ``node_id $in`` over the lineage
    would be one command, but nx-27017 answers ``$in`` on a field other than
    ``_id`` by scanning the whole collection (every watch on the site).  With
    ``request``, each level comes through the watches' own cache (every
    write of a watch moves the ``watches`` generation): no query once the
    lineage was read since the last watch written anywhere."""
    levels = []
    while node is not None:
        if getattr(node, "kind", "") in ("project", "tool", "artifact"):
            node_id = node_doc(node)._id
            watches = cached_raw(request, Watch, {"node_id": node_id}) if request is not None \
                else collection(Watch).find({"node_id": node_id},
                                            {"user_id": 1, "created": 1})
            levels.append((node_id, list(watches)))
        node = node.__parent__
    return levels


def may_read(user, node):
    """The policy's answer for this user, computed now (not from a session)."""
    return can(node, user_principals(user), "read")


def recipient(user_id, node):
    """The ``User`` to mail, or None (gone, disabled, no address, may not read)."""
    user = User.query.get(_id=user_id)
    if user is None or user.disabled or not user.email:
        return None
    return user if may_read(user, node) else None


def watchers_to_tell(request, event, node, levels=None):
    """(user, id of the watched node, frequency, principals) of each watcher
    (the user a ``StoredUser``: the stored document read through attributes)
    of the node or an ancestor who is told of this change: not the actor, not
    those who chose no notifications, not disabled users, only those who may
    read the node now.  ``levels``: as ``lineage_watchers`` takes them."""
    watchers = sorted(lineage_watchers(node, event.get("timestamp"), request,
                                       levels).items())
    watchers = [(user_id, watched_id) for user_id, watched_id in watchers
                if user_id != event.get("actor_id")]
    frequencies = frequencies_of((user_id for user_id, _watched_id in watchers), request)
    for user_id, watched_id in watchers:
        frequency = frequencies[user_id]
        if frequency == NONE:
            continue
        user = stored_user(request, user_id)
        if user is None or user.disabled:
            continue
        principals = cached_principals(request, user)
        if not can(node, principals, "read"):
            continue
        yield user, watched_id, frequency, principals


def mailed_already(event_id):
    """Ids of the users this event was mailed to before (a retry): one
    indexed equality on the markers' ``event_id``, not one query per watcher
    (a range over their ``{event}:{user}`` ids scans on the embedded server)."""
    prefix = "%s:" % event_id
    return {marker["_id"][len(prefix):] for marker in collection(SentNotification).find(
        {"event_id": event_id}, {"_id": 1})}


def notify_watchers(request, event, node, post, first_copy=False, smtp=None, sent=None,
                    levels=None):
    """Mail (or queue for the digest) each watcher told of this change, over
    one SMTP session; those mailed are recorded in one write once the
    session ends, however it ends (a failure after some were sent records
    those, so the bus's retry mails only the others).  ``first_copy`` (the
    bus's first delivery of the event's first copy): nobody was mailed for it
    before, so the markers are not read.  ``sent``: a list the caller records
    (``record_all_sent``) with its other events' once they are all done; the
    (event id, user id) of each mail is added to it as the mail goes out.
    ``levels``: the lineage's watches (``lineage_watches``), if read already."""
    mailed = []
    try:
        mail_watchers(request, event, node, post, mailed, first_copy, smtp, levels)
    finally:
        if sent is not None:
            sent.extend((event["id"], user_id) for user_id in mailed)
        elif mailed:
            record_sent(event["id"], mailed)


def record_sent(event_id, user_ids):
    """The ``SentNotification`` markers of one event's mails, one unordered
    insert (a marker a retry wrote already is a duplicate, and skipped)."""
    record_all_sent([(event_id, user_id) for user_id in user_ids])


def record_all_sent(sent):
    """The ``SentNotification`` markers of ``sent`` ((event id, user id) of
    each mail, several events' too): one unordered insert."""
    if not sent:
        return
    now = time.time()
    markers = [{"_id": "%s:%s" % (event_id, user_id), "event_id": event_id, "timestamp": now}
               for event_id, user_id in sent]
    insert_all_new(collection(SentNotification), markers)


def mail_watchers(request, event, node, post, sent, first_copy=False, smtp=None,
                  levels=None):
    """``smtp``: a ``MailConnection`` shared with other events (else one of its own)."""
    registry = request.registry
    description = bodies = None
    mailed = set() if first_copy else None
    with (contextlib.nullcontext(smtp) if smtp is not None
          else registry.forge_mailer.connection()) as smtp:
        for user, watched_id, frequency, principals in watchers_to_tell(
                request, event, node, levels):
            if not user.email:
                continue
            user_id = user._id
            if frequency == DIGEST:
                queue_for_digest(user_id, event)
                continue
            if mailed is None:
                mailed = mailed_already(event["id"])
            if user_id in mailed:
                continue    # mailed before a failure made the bus retry this event
            if description is None:
                description = describe(request, event, node, post)
                values = {"change": description, "actor": actor_name(event, request)}
                bodies = SharedBodies(request, TEMPLATE, values)
            unsubscribe = unsubscribe_url(request, user_id, "w:%s" % watched_id)
            message = compose(request, user, description["subject"], TEMPLATE,
                              bodies.values, unsubscribe, bodies=bodies,
                              **conversation_headers(registry, event, node, user,
                                                     principals))
            smtp.send(message)
            sent.append(user_id)


def conversation_headers(registry, event, node, user, principals=None):
    """Message-ID (the same when the bus retries the event), the artifact's
    thread and, when mail in is on and the user may comment on the artifact,
    the user's own signed reply address (``forge.mail_in.addresses``)."""
    settings = registry.settings
    headers = {"message_id": notification_id(settings, event["id"], user._id)}
    if getattr(node, "kind", "") != "artifact":
        return headers
    artifact_id = node_doc(node)._id
    headers["thread"] = thread_id(settings, artifact_id)
    if principals is None:
        principals = user_principals(user)
    if settings.get("forge.mail_in.domain") and can(node, principals, "post"):
        headers["reply_to"] = reply_address(settings, user._id, artifact_id)
    return headers


def queue_for_digest(user_id, event):
    try:
        collection(DigestItem).insert_one({
            "_id": "%s:%s" % (user_id, event["id"]), "user_id": user_id,
            "event_id": event["id"], "event": thaw(event),
            "timestamp": float(event.get("timestamp") or time.time()), "digest_id": ""})
    except DuplicateKeyError:
        pass


def thaw(value):
    """A plain copy of the frozen bus message (mappings and tuples)."""
    if hasattr(value, "items"):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return [thaw(v) for v in value]
    return value


def actor_name(event, request=None):
    actor_id = event.get("actor_id")
    if request is not None:
        user = stored_user(request, actor_id)
    else:
        user = User.query.get(_id=actor_id) if actor_id else None
    return user.username if user is not None else "system"
