"""In-app notifications: when the site sends no mail (no ``forge.mail.host``),
the ``forge.notify`` reactor keeps what it would have mailed as an
``InAppNotification`` per watcher, the header shows how many are unread, and
``/@@notifications`` lists them.

A notification stores the event, never a rendered title: the page resolves
its node *now* (``forge.visibility``) and shows it only if the reader may
read it then, described as the mail would be (``messages.describe``), so a
page made private or a comment deleted after the fact is not shown.

The badge costs a signed-in page no read of its own: the count is kept in the
generation store (``forge.fragments.reader_cached``) under the reader, the
site's generations (anything that changes who may read what moves them) and
the session record's per-user ``generation``, which every recorded
notification and "mark all read" bump (``bump_user_generation``; notifications
are ``@not_on_pages``, so they move no site generation).
"""
import datetime
import time

from ming.odm import FieldProperty, MappedClass
from ming import schema as S
from pymongo.errors import DuplicateKeyError

from ..fragments import reader_cached
from ..model.cache import not_on_pages
from ..model.session import collection, session
from ..model.web_session import bump_user_generation
from ..user_lookup import usernames
from ..visibility import NodeResolver, in_held_state
from .messages import describe

PAGE_SIZE = 30
MAX_SCANNED = 300           # notifications looked at for one page
MAX_COUNTED = 20            # the badge says "20+" past this


@not_on_pages
class InAppNotification(MappedClass):
    """``user_id`` was told of ``event`` (``_id`` is ``{event id}:{user id}``,
    so a retried event tells nobody twice)."""

    class __mongometa__:
        session = session
        name = "in_app_notification"
        indexes = [("user_id", "created"), ("user_id", "unread")]

    _id = FieldProperty(str)
    user_id = FieldProperty(str)
    event = FieldProperty(S.Anything)
    created = FieldProperty(float)
    unread = FieldProperty(bool, if_missing=True)


def record(user_id, event):
    try:
        collection(InAppNotification).insert_one({
            "_id": "%s:%s" % (event["id"], user_id), "user_id": user_id,
            "event": event, "created": float(event.get("timestamp") or time.time()),
            "unread": True})
    except DuplicateKeyError:
        pass        # the bus retried the event (its bump may not have happened)
    bump_user_generation(user_id)      # after the write: no page keeps an older count


def unread_count(request):
    """The reader's unread notifications they may still read (the header's
    badge), up to ``MAX_COUNTED + 1``; 0 for visitors and when the site mails
    instead (nothing is recorded then).  Counted like the list, node by node:
    a count of what the reader may not see would tell that something happened
    there."""
    user = request.user
    if user is None or request.registry.forge_mailer.enabled:
        return 0
    session = request.session
    generation = getattr(session, "user_generation", None)
    if generation is None:
        return count_unread(request, user)      # no stored session: nothing to key it by
    key = ("unread-notifications", session.record_id, generation)
    return reader_cached(request, key, lambda: count_unread(request, user))


def count_unread(request, user):
    unread = collection(InAppNotification).find(
        {"user_id": user._id, "unread": True}, {"event": 1}).sort("created", -1)
    resolver = NodeResolver(request)
    counted = 0
    for doc in unread.limit(MAX_COUNTED * 3):
        if shown_node(request, resolver, doc["event"]) is not None:
            counted += 1
            if counted > MAX_COUNTED:
                break
    return counted


def shown_node(request, resolver, event):
    """(node, post) the notification is about, when the reader may read it
    now; None otherwise."""
    from .reactor import visible_post
    node = resolver.resolve(event)
    if node is None or in_held_state(node) or not request.can("read", node):
        return None
    post = None
    if event.get("node_type") == "Post":
        post = visible_post(event.get("node_id"))
        if post is None:
            return None
    return node, post


def readable_notifications(request, page=1, size=PAGE_SIZE):
    """(items, has_next): dicts with the change described now and ``unread``,
    newest first, only for nodes the reader may read now."""
    resolver = NodeResolver(request)
    docs = list(collection(InAppNotification).find({"user_id": request.user._id})
                .sort("created", -1).limit(MAX_SCANNED))
    names = usernames({doc["event"].get("actor_id") for doc in docs} - {None})
    start, stop = (page - 1) * size, page * size
    items, seen = [], 0
    for doc in docs:
        event = doc["event"]
        shown = shown_node(request, resolver, event)
        if shown is None:
            continue
        node, post = shown
        if start <= seen < stop:
            items.append({"change": describe(request, event, node, post),
                          "actor": names.get(event.get("actor_id"), "system"),
                          "when": datetime.datetime.fromtimestamp(
                              doc["created"], datetime.timezone.utc), "unread": doc.get("unread", True)})
        seen += 1
        if seen > stop:
            break
    return items, seen > stop


def mark_all_read(user_id):
    collection(InAppNotification).update_many({"user_id": user_id, "unread": True},
                                              {"$set": {"unread": False}})
    bump_user_generation(user_id)
