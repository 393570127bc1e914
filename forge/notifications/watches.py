"""Watching: the actions that add and remove a ``Watch``, and the reads the
pages and the reactor need.

A watch names a project, a tool or an artifact node.  Changing one follows
every action's path (auditors, audit record, event, flush); the events are
``project.watched|unwatched``, ``project.tool.watched|unwatched`` and
``{artifact type}.watched|unwatched`` (so a ticket's are still
``tracker.ticket.watched``).  The notify reactor ignores them.

Watches and mail preferences have a generation of their own
(``own_generation("watches")``, ``forge.model.cache``): each write, by any
path, moves it and ``content`` (the Watch / Unwatch buttons and watcher
counts are on kept pages), not ``tree``, so the notify reactor reads a
node's watches and its watchers' preferences through their own per-process
cache, exactly (no query per event once warm), and a new ticket's watch no
longer empties every process's cache of users, roles and tools.
"""
import time

from pymongo.errors import DuplicateKeyError

from ..actions import ActionError
from ..unit_of_work import change
from ..events import ArtifactEvent, ForgeEvent
from ..model.cache import cached_raw
from ..model.session import collection
from .model import DIGEST, EACH, FREQUENCIES, NONE, MailPreference, Watch

WATCHABLE = ("project", "tool", "artifact")


class _NodeWatchEvent(ForgeEvent):
    verb = "watched"

    @property
    def topic(self):
        prefix = "project" if type(self.node).__name__ == "Project" else "project.tool"
        return "%s.%s" % (prefix, self.verb)


class NodeWatched(_NodeWatchEvent):
    verb = "watched"


class NodeUnwatched(_NodeWatchEvent):
    verb = "unwatched"


class MailPreferenceChanged(ForgeEvent):
    topic = "user.mail_preference.updated"


class ArtifactWatched(ArtifactEvent):
    verb = "watched"


class ArtifactUnwatched(ArtifactEvent):
    verb = "unwatched"


def node_doc(node):
    """The document of a resource, without building an artifact's Ming object."""
    return getattr(node, "_doc", None) or node.doc


def watch_key(user_id, node_id):
    return "%s:%s" % (user_id, node_id)


def is_watching(user_id, node_id):
    return collection(Watch).find_one({"_id": watch_key(user_id, node_id)}) is not None


def watcher_ids(node_id):
    """Users watching this one node (one indexed equality)."""
    return [w["user_id"] for w in collection(Watch).find({"node_id": node_id},
                                                         {"user_id": 1})]


def set_watch(registry, kind, doc, actor, watch=True, source="web"):
    """Watch (or stop watching) the project, tool or artifact ``doc``.
    Returns False when nothing changed (watching twice is watching once)."""
    if actor is None:
        raise ActionError("Sign in to watch.")
    if kind not in WATCHABLE:
        raise ActionError("Only projects, tools and artifacts can be watched.")
    watching = is_watching(actor._id, doc._id)
    if watching == watch:
        return False
    if kind == "artifact":
        event_class = ArtifactWatched if watch else ArtifactUnwatched
        topic = "%s.%s" % (doc.type, event_class.verb)
    else:
        event_class = NodeWatched if watch else NodeUnwatched
        topic = ("project.%s" if kind == "project" else "project.tool.%s") % event_class.verb
    with change(registry, event_class, topic=topic, node=doc, actor=actor, source=source,
                old={"watching": watching}, new={"watching": watch}) as ch:
        if watch:
            add_watch(actor._id, kind, doc)
        else:
            collection(Watch).delete_one({"_id": watch_key(actor._id, doc._id)})
        ch.log("watch" if watch else "unwatch",
               "%s %s" % ("watched" if watch else "stopped watching", kind), kind=kind)
    return True


def add_watch(user_id, kind, doc):
    """Insert the watch unless it exists (also used by the reactor to make
    authors watch what they created)."""
    project_id = doc._id if kind == "project" else getattr(doc, "project_id", None)
    try:
        collection(Watch).insert_one({
            "_id": watch_key(user_id, doc._id), "user_id": user_id, "kind": kind,
            "node_id": doc._id, "project_id": project_id,
            "tool_id": doc._id if kind == "tool" else getattr(doc, "tool_id", None),
            "created": time.time()})
        return True
    except DuplicateKeyError:
        return False


def unwatch_node(registry, user, node_id, source="mail"):
    """The unsubscribe link's action: stop ``user`` watching ``node_id``
    (the link's signature is the authority; no read check, since leaving is
    always allowed).  False when there was no such watch."""
    watch = collection(Watch).find_one({"_id": watch_key(user._id, node_id)})
    if watch is None:
        return False
    doc = _watched_doc(watch)
    if doc is None:       # the node is gone: just drop the watch
        collection(Watch).delete_one({"_id": watch["_id"]})
        return True
    return set_watch(registry, watch["kind"], doc, user, watch=False, source=source)


def _watched_doc(watch):
    from ..model import Artifact, Project, ToolInstance
    cls = {"project": Project, "tool": ToolInstance}.get(watch["kind"], Artifact)
    return cls.query.get(_id=watch["node_id"])


def frequency_of(user_id):
    pref = collection(MailPreference).find_one({"_id": user_id})
    return pref.get("frequency", EACH) if pref else EACH


def frequencies_of(user_ids, request=None):
    """{user id: frequency} for several users in one query (``_id $in``);
    users without a preference are "each".  With ``request``, through the
    watches' cache (kept under the ``watches`` generation)."""
    user_ids = list(user_ids)
    if not user_ids:
        return {}
    query = {"_id": {"$in": sorted(set(user_ids))}}
    prefs = cached_raw(request, MailPreference, query) if request is not None else \
        collection(MailPreference).find(query)
    chosen = {pref["_id"]: pref.get("frequency", EACH) for pref in prefs}
    return {user_id: chosen.get(user_id, EACH) for user_id in user_ids}


def set_frequency(registry, user, frequency, source="web"):
    """Each change, daily digest, or none."""
    if frequency not in FREQUENCIES:
        raise ActionError("Choose one of: each change, daily digest, none.")
    with change(registry, MailPreferenceChanged, node=user, actor=user, source=source,
                old={"frequency": frequency_of(user._id)}, new={"frequency": frequency}) as ch:
        collection(MailPreference).replace_one({"_id": user._id},
                                               {"_id": user._id, "frequency": frequency},
                                               upsert=True)
        ch.log("mail.preference", "e-mail: %s" % frequency)
        ch.event_detail["frequency"] = frequency
    return frequency


__all__ = ["DIGEST", "EACH", "NONE", "set_watch", "add_watch", "unwatch_node",
           "is_watching", "watcher_ids", "frequency_of", "frequencies_of", "set_frequency"]
