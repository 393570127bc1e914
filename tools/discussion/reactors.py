"""Reactors of the discussion tool (run by workers after the change is saved).

``discussion.general-forum`` gives every newly installed discussion tool a
"general" forum, so a project's discussion is usable at once.

``discussion.counters`` keeps what the lists show in step with the core's
posts: a thread's visible post count, last post time and author, and whether
its opening post is visible ("ok") or waits for a moderator; and a forum's
thread and post counts and its last post.  Everything is copied or
recomputed from stored state (never incremented), so handling an event
twice, or late, is harmless.

The common event, a visible post added, reads no post: the core's thread
keeps ``num_posts`` (``$inc``), and ``last_post_at`` with its post's author
in one ``$set`` (``forge.discussion.actions``), so they are copied; the
opening post is read only for events about it (the other posts' events do
not change it, and every change of it has an event of its own).  The rare
events (a post held, deleted, approved, edited) recount the last visible
post from the posts.  It takes its events in batches: a thread named by
several events of one batch is copied once, and each forum summed once.

A forum's summary is one copy shown to every reader of the forum index, so
it holds only threads every reader of the forum may read: visible (not held,
not deleted) and without a ``read`` restriction of their own (a private
thread).  The same reactor runs on ``artifact.acl.changed``, so a thread made
private (or public) leaves (or joins) the summary.
"""
import logging
from collections.abc import Mapping

from pymongo import UpdateOne

from forge.api import (ActionError, Post, Project, Thread, ToolInstance, collection, note_change,
                       restricts, takes_batches)

from .actions import create_forum
from .model import FORUM, THREAD, Forum, ForumThread

log = logging.getLogger(__name__)

GENERAL = ("general", "General", "Anything about the project.")


def general_forum(event, context):
    tool = (ToolInstance.query.get(_id=event["node_id"])
            if event.get("node_type") == "ToolInstance" else None)
    if tool is None or tool.tool != "discussion" or Forum.query.find(
            {"tool_id": tool._id, "type": FORUM}).first() is not None:
        return
    project = Project.query.get(_id=tool.project_id)
    try:
        create_forum(context.registry, project, tool, *GENERAL, actor=None, source="system")
    except ActionError as error:      # someone made one meanwhile: fine
        log.info("no general forum for tool %s: %s", tool._id, error)


@takes_batches(max_events=100, max_seconds=0.02)
def counters(events, context):
    """The reactor: a tuple of frozen bus messages (a batch, ``forge.bus.
    batches``), or one message.  Each thread the batch names is copied once
    and each forum summed once, whatever the number of its events: a burst of
    replies to one thread costs one round of reads and writes, not one per
    reply.  Copying (never incrementing) keeps a rerun harmless.

    Per forum of the batch: one scan of its threads (which holds the batch's
    threads too, their path being "{forum}/{id}"), one read of each thread's
    core thread, and one write of the threads' and the forum's counters
    (the forum summed with the threads' new counters); one generation bump
    for the batch, after all writes."""
    if not isinstance(events, (tuple, list)):
        events = (events,)
    by_forum = {}           # (tool id, forum path) -> {thread path: its events, in order}
    for event in events:
        tool_id, path = event.get("tool_id"), event.get("path")
        if tool_id and path and "/" in path:
            by_forum.setdefault((tool_id, path.rsplit("/", 1)[0]), {}).setdefault(
                path, []).append(event)
    if not by_forum:
        return
    # the counters are written unbumped: one bump after all writes (also
    # after a failure: some may be written)
    written = False
    try:
        for (tool_id, forum_path), by_path in by_forum.items():
            written = _copy_forum(tool_id, forum_path, by_path) or written
    except BaseException:
        note_change()
        raise
    if written:
        note_change()


FORUM_THREAD_FIELDS = {"type": 1, "forum": 1, "first_post_id": 1, "num_posts": 1,
                       "last_post_at": 1, "status": 1, "path": 1, "title": 1,
                       "last_author_id": 1, "acl": 1}


def _copy_forum(tool_id, forum_path, by_path):
    """Copy the counters of the threads at ``by_path``'s paths (in forum
    ``forum_path``) and sum the forum: one scan, a core read per thread, one write."""
    threads = list(collection(ForumThread, bump=False).find(
        {"tool_id": tool_id, "forum": forum_path, "deleted": False}, FORUM_THREAD_FIELDS))
    at_path = {raw.get("path"): raw for raw in threads}
    writes = []             # [(filter, update)] of the artifact collection, in order
    others = []             # forums of threads not found in this scan (deleted ones)
    found = False           # a forum thread at one of the paths (else: not a forum's)
    for path, thread_events in by_path.items():
        raw = at_path.get(path)
        if raw is None:
            # not among the forum's live threads (deleted, or named another
            # forum): read alone, and its own forum summed
            raw = collection(ForumThread, bump=False).find_one(
                {"tool_id": tool_id, "path": path}, FORUM_THREAD_FIELDS)
            if raw is not None and raw.get("type") == THREAD \
                    and raw.get("forum") != forum_path:
                others.append(raw.get("forum"))
        thread = _stored(raw)
        if thread is None or thread.type != THREAD:
            continue
        found = found or thread.forum == forum_path
        fields = thread_counter_fields(thread, thread_events)
        if fields:
            writes.append(({"_id": thread._id}, {"$set": fields}))
            raw.update(fields)      # the forum is summed with the new counters
    if found:
        writes.append(({"tool_id": tool_id, "path": forum_path},
                       {"$set": forum_stats(threads)}))
    _write_all(writes)
    for other in dict.fromkeys(others):
        update_forum_counters(tool_id, other, bump=False)
    return bool(writes or others)


def _write_all(writes):
    """``writes`` (filter, update) to the artifact collection, unbumped: one
    ordered ``bulk_write`` (Ming's in-memory server, mim://, applies only the
    first of one: there, one update each)."""
    target = collection(ForumThread, bump=False)
    if len(writes) == 1 or type(target).__module__.startswith("ming."):
        for query, update in writes:
            target.update_one(query, update)
    elif writes:
        target.bulk_write([UpdateOne(query, update) for query, update in writes],
                          ordered=True)


def update_thread_counters(thread, events=None, bump=True):
    """Copy the core thread's counters to the forum thread; ``events`` (the
    bus messages about it, or one) tell whether the cheap path applies; None
    recomputes all.  ``bump=False``: the caller bumps the generations after
    its next write."""
    fields = thread_counter_fields(thread, events)
    if fields:
        collection(ForumThread, bump=bump).update_one({"_id": thread._id}, {"$set": fields})


def thread_counter_fields(thread, events=None):
    """The forum thread's counters as the core thread and its posts have them
    now (``update_thread_counters``), as the ``$set`` of them."""
    if isinstance(events, Mapping):
        events = (events,)
    core = _stored(collection(Thread).find_one(
        {"ref_id": thread._id}, {"num_posts": 1, "last_post_at": 1, "last_author_id": 1}))
    fields = {}
    if core is not None:
        fields["num_posts"] = int(core.num_posts or 0)
        if core.last_post_at:
            fields["last_post_at"] = float(core.last_post_at)
        if events and all(_visible_post_added(e) for e in events) \
                and core.last_author_id is not None:
            fields["last_author_id"] = core.last_author_id if core.num_posts else ""
        else:
            last = Post.query.find({"thread_id": core._id, "status": "ok", "deleted": False}
                                   ).sort("created", -1).first()
            fields["last_author_id"] = (last.author_id or "") if last is not None else ""
        if events is None or any(_may_change_opening_post(thread, e) for e in events):
            first = (Post.query.get(_id=thread.first_post_id) if thread.first_post_id else
                     Post.query.find({"thread_id": core._id, "parent_id": None}
                                     ).sort("slug", 1).first())
            if first is not None:
                fields["status"] = "deleted" if first.deleted else first.status
    return fields


class StoredFields(dict):
    """A stored document's fields as attributes (None when not stored): the
    reactor reads a few fields, building Ming objects cost more than the reads."""

    def __getattr__(self, name):
        return self.get(name)


def _stored(raw):
    return StoredFields(raw) if raw is not None else None


def _visible_post_added(event):
    return (event.get("node_type") == "Post"
            and event.get("topic", "").endswith(".post.created")
            and (event.get("detail") or {}).get("status") == "ok")


def _may_change_opening_post(thread, event):
    """Only events about the opening post (or not about a post at all) can
    change its status; a reply's event cannot."""
    return (event.get("node_type") != "Post" or not thread.first_post_id
            or event.get("node_id") == thread.first_post_id)


def update_forum_counters(tool_id, forum_path, bump=True):
    """Sum the forum's visible threads (one indexed scan of its threads)."""
    threads = collection(ForumThread, bump=False).find(
        {"tool_id": tool_id, "forum": forum_path, "deleted": False}, FORUM_THREAD_FIELDS)
    collection(Forum, bump=bump).update_one({"tool_id": tool_id, "path": forum_path},
                                            {"$set": forum_stats(threads)})


def forum_stats(threads):
    """A forum's summary of its live threads (stored documents,
    ``FORUM_THREAD_FIELDS``): only the visible ones without a read restriction."""
    stats = {"num_threads": 0, "num_posts": 0, "last_post_at": 0.0, "last_thread_path": "",
             "last_thread_title": "", "last_author_id": ""}
    for raw in threads:
        if raw.get("status", "ok") != "ok" or restricts(raw.get("acl"), "read"):
            continue
        stats["num_threads"] += 1
        stats["num_posts"] += int(raw.get("num_posts") or 0)
        if raw.get("num_posts") and float(raw.get("last_post_at") or 0) > stats["last_post_at"]:
            stats.update(last_post_at=float(raw["last_post_at"]), last_thread_path=raw["path"],
                         last_thread_title=raw.get("title", ""),
                         last_author_id=raw.get("last_author_id") or "")
    return stats
