"""``@name`` in Markdown notifies the people it names (the ``forge.mentions``
reactor, on the content events).

For an artifact created or changed (``{type}.created|updated``) it reads the
artifact's Markdown fields (the ``markdown`` widgets of its declared type)
as they are *now* (nothing when the event says the version it wrote has no
"@": detail ``may_mention``, ``forge.events.ArtifactEvent``); for a visible
comment (``*.post.created`` with status ok, ``*.post.approved``) the
comment's text.  The names are found as the renderer
marks them (``forge.autolinks``: not in code, not in e-mail addresses).  A
person is told when the text mentions them and the version before did not
(an edit that keeps a mention tells nobody again), once per version
(``MentionNotice`` ``{text id}:{version}:{user id}``, so a retried event
tells nobody twice), and only when

* the account exists, is enabled and is not the actor;
* they may ``read`` the artifact at this moment (principals computed as the
  security policy does: a mention in a private ticket never reaches someone
  outside it, and a held thread tells nobody until approved);
* they did not choose "no mail" (``forge.notifications`` preference none).

With SMTP configured they get a mail ("ada mentioned you in #12 Crash"),
with the one-click unsubscribe of every forge mail; without, an in-app
notification of the event (``forge.notifications.in_app``).
"""
import time

from ming import schema as S
from ming.odm import FieldProperty, MappedClass
from pymongo.errors import DuplicateKeyError

from .activity.reactor import excerpt
from .autolinks import MAX_MARKS, mentioned_names
from .bus.batches import takes_batches
from .mail_in.addresses import notification_id, thread_id
from .model import Snapshot, User
from .model.cache import not_on_pages
from .model.session import collection, session
from .notifications import in_app
from .notifications.messages import build_message, mail_request, unsubscribe_url
from .notifications.model import NONE
from .notifications.reactor import actor_name, thaw, visible_post
from .notifications.watches import frequency_of
from .security import can, user_principals
from .visibility import NodeResolver, in_held_state

REACTOR_NAME = "forge.mentions"
TEMPLATE = "forge:templates/mentions/mail.jinja2"


@not_on_pages
class MentionNotice(MappedClass):
    """``user_id`` was told that version ``version`` of ``text_id`` (an
    artifact or a comment) mentions them."""

    class __mongometa__:
        session = session
        name = "mention_notice"

    _id = FieldProperty(str)
    user_id = FieldProperty(str)
    created = FieldProperty(S.Anything)


def markdown_text(registry, doc, data=None):
    """The text of an artifact's Markdown fields (of ``data``, a snapshot's
    fields, when given)."""
    kind = getattr(registry, "forge_artifact_types", {}).get(getattr(doc, "type", None))
    return "" if kind is None else kind.markdown_text(doc, data)


def mentioned_text(registry, event, node):
    """(text id, version, text now, text of the version before) of an
    artifact, or None."""
    verb = event["topic"].rsplit(".", 1)[-1]
    if verb not in ("created", "updated") or getattr(node, "kind", "") != "artifact":
        return None
    doc = node.doc
    version = int(getattr(doc, "version", 0) or 0)
    before = ""
    if version > 1:
        previous = Snapshot.query.get(artifact_id=doc._id, version=version - 1)
        if previous is not None:
            before = markdown_text(registry, doc, dict(previous.data or {}))
    return doc._id, version, markdown_text(registry, doc), before


def newly_mentioned(text, before):
    """Names ``text`` mentions that ``before`` did not, in order."""
    earlier = set(mentioned_names(before))
    return [name for name in mentioned_names(text) if name not in earlier][:MAX_MARKS]


def people_to_tell(event, node, names):
    """The ``User``s among ``names`` who are told (see the module docstring)."""
    for name in names:
        user = User.query.get(username=name)
        if user is None or user.disabled or user._id == event.get("actor_id"):
            continue
        if frequency_of(user._id) == NONE:
            continue
        if can(node, user_principals(user), "read"):
            yield user


@takes_batches(max_events=100, max_seconds=0.02)
def notify_mentions(events, context):
    """The reactor: a tuple of frozen bus messages (the worker hands it a
    batch, ``forge.bus.batches``: one call, flush and session for the batch,
    where most events mention nobody and cost nothing else), or one message.
    Idempotent (``MentionNotice``), so a batch that fails half-way is simply
    run again one event at a time."""
    if not isinstance(events, tuple):
        events = (events,)
    for event in events:
        notify_one(event, context)


def notify_one(event, context):
    """One event of the reactor's."""
    if not event.get("project_id") or event.get("node_type") in ("Thread", "Project",
                                                                  "ToolInstance"):
        return
    if event["topic"].rsplit(".", 1)[-1] not in ("created", "updated", "approved"):
        return
    if (event.get("detail") or {}).get("may_mention") is False:
        # the event says its text has no "@" at all (a new comment's, a new
        # version's of an artifact: ``forge.events.ArtifactEvent``), and a
        # text without one mentions nobody: nothing is read (most mention
        # nobody); an event without the fact (older) reads as below
        return
    event = thaw(event)
    registry = context.registry
    post = None
    if event.get("node_type") == "Post":
        # a comment's text first: most mention nobody, and then nothing
        # else is read (no request, no walk to its artifact; comments' edits
        # are not mentions: the text it was created with is the one to read)
        post = visible_post(event.get("node_id"))
        if post is None or event["topic"].rsplit(".", 1)[-1] not in ("created", "approved"):
            return
        text = post.get("text") or ""
        names = newly_mentioned(text, "") if "@" in text else []
        if not names:
            return
    with mail_request(registry) as request:
        if post is not None:
            # the comment was visible just now; its artifact along its current path
            node = NodeResolver(request).artifact(
                post.get("ref_id"), seen_at=(event.get("tool_id"), event.get("path")))
        else:
            node = NodeResolver(request).resolve(event)
        if node is None or in_held_state(node):
            return
        if post is not None:
            text_id, version = post["_id"], int(post.get("version") or 1)
        else:
            found = mentioned_text(registry, event, node)
            if found is None:
                return
            text_id, version, text, before = found
            names = newly_mentioned(text, before)
            if not names:
                return
        for user in people_to_tell(event, node, names):
            notice_id = "%s:%s:%s" % (text_id, version, user._id)
            if collection(MentionNotice).find_one({"_id": notice_id}) is not None:
                continue        # told before the bus retried this event
            tell(request, event, node, user, text, version)
            try:
                collection(MentionNotice).insert_one(
                    {"_id": notice_id, "user_id": user._id, "created": time.time()})
            except DuplicateKeyError:
                pass


def tell(request, event, node, user, text, version):
    registry = request.registry
    if not registry.forge_mailer.enabled:
        in_app.record(user._id, event)
        return
    if not user.email:
        return
    actor = actor_name(event)
    title = node.title or node.__name__
    url = request.forge_url(node)
    if event.get("node_type") == "Post":
        url += "#post-%s" % event["node_id"]
    project = node.project
    prefix = "[%s] " % project.title if project is not None else ""
    settings = registry.settings
    message = build_message(
        request, user, "%s%s mentioned you in %s" % (prefix, actor, title), TEMPLATE,
        {"actor": actor, "title": title, "url": url, "text": excerpt(text, 1000)},
        unsubscribe_url(request, user._id, "all"),
        message_id=notification_id(settings, "mention.%s.%s" % (event["id"], version),
                                   user._id),
        thread=thread_id(settings, node.doc._id))
    registry.forge_mailer.send(message)


def includeme(config):
    # idempotent: each (text, version, person) is told once (MentionNotice)
    config.add_reactor("#", notify_mentions, name=REACTOR_NAME, idempotent=True)
