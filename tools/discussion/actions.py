"""Changes to forums and threads.

Forums and threads are declared artifact types (``config.add_artifact_type``:
the core creates, saves, deletes and announces ``discussion.forum.*`` and
``discussion.thread.*``).  Posts are the core's: a new thread's opening post
is ``forge.discussion.actions.add_post`` on the new thread's node, so the
moderation, spam auditors, attachments and ``discussion.post.*`` events are
the same as for a wiki page's or a ticket's comments.
"""
import time

from ming.odm import state
from ming.odm.odmsession import ObjectState

from forge.api import (ActionError, ArtifactActions, ArtifactDeleted, PostCreated, Rejected,
                       add_post, change, check_description, check_text, check_title, collection,
                       create_artifact, create_versioned, new_id, run_auditors, save_versioned,
                       session, set_fields, set_thread_locked, thread_for)

from .model import THREAD, Forum, ForumThread, check_forum_name, check_subject


class ForumActions(ArtifactActions):
    """A forum's short name is checked and unique in its tool."""

    def create(self, registry, kind, project_doc, tool_doc, parent_doc, name, *args, **kw):
        name = check_forum_name(name)
        if Forum.query.get(tool_id=tool_doc._id, path=name) is not None:
            raise ActionError("There is already a forum called %r." % name)
        return super().create(registry, kind, project_doc, tool_doc, parent_doc, name,
                              *args, **kw)


def create_forum(registry, project_doc, tool_doc, name, title, description, actor,
                 private=False, source="web"):
    """A forum (private: readable by the project's members only)."""
    fields = {"title": check_title(title), "description": check_description(description)}
    return create_artifact(registry, Forum, project_doc, tool_doc, None, name, fields, actor,
                           private=private, comment="created", source=source)


def create_thread(registry, forum_node, subject, text, actor, uploads=(),
                  may_skip_moderation=False, trusted=False, source="web", fields=None):
    """A new thread in ``forum_node`` whose opening post is ``text``
    (``fields``: its custom and extension fields).

    Returns (thread node, post).  The thread artifact must exist before its
    first post (the post hangs on it), so the post auditors (the spam checker)
    first see the subject and the text as a proposed post: a rejection then
    saves nothing at all, and a hold keeps the opening post for a moderator.
    Should the core still refuse the post (an over-size attachment), the new
    thread is withdrawn again."""
    subject = check_subject(subject)
    text = check_text(text)
    forum = forum_node.doc
    if precheck_held(registry, forum_node, subject, text, actor, source,
                     may_skip_moderation, trusted):
        may_skip_moderation = False
    extra = {k: v for k, v in (fields or {}).items() if k in ("labels", "custom", "ext")}
    thread = create_versioned(
        registry, ForumThread, actor, comment="created", source=source,
        path="%s/%s" % (forum.path, new_id()), forum=forum.path,
        project_id=forum.project_id, tool_id=forum.tool_id, acl=[], title=subject,
        status="ok" if may_skip_moderation else "pending", last_post_at=time.time(), **extra)
    node = registry.forge_artifact_types.of(thread).node(thread, forum_node)
    try:
        post = add_post(registry, node, text, actor, uploads=uploads, source=source,
                        may_skip_moderation=may_skip_moderation, trusted=trusted)
    except ActionError:
        withdraw_thread(registry, thread, actor)
        raise
    # the counters reactor keeps these; the new thread shows right away
    visible = post.status == "ok"
    set_fields(thread, first_post_id=post._id, status=post.status,
               num_posts=1 if visible else 0,
               last_author_id=(actor._id if actor and visible else "") or "")
    return node, post


def precheck_held(registry, forum_node, subject, text, actor, source, may_skip_moderation,
                  trusted):
    """Run the ``discussion.post.created`` auditors on the would-be opening
    post (subject included) before the thread exists.  Raises ``Rejected``;
    returns True when an auditor would hold the post."""
    forum = forum_node.doc
    status = "ok" if may_skip_moderation else "pending"
    change = run_auditors(registry, PostCreated.topic_for("discussion"), node_type="Post",
                          new={"text": "%s\n\n%s" % (subject, text), "status": status,
                               "status_reason": "", "parent_id": None, "attachments": []},
                          actor=actor, source=source,
                          detail={"artifact_id": None, "path": forum.path,
                                  "tool_id": forum.tool_id, "project_id": forum.project_id,
                                  "tool_type": "discussion",
                                  "may_skip_moderation": bool(may_skip_moderation),
                                  "trusted": bool(trusted), "precheck": True})
    return change.new.get("status", status) != status


def withdraw_thread(registry, thread, actor):
    """Undo a thread whose opening post was refused: deleted, and announced so."""
    session.expunge(thread)
    thread = ForumThread.query.get(_id=thread._id)
    with change(registry, ArtifactDeleted, node=thread, actor=actor, auditors=False,
                new={"deleted": True}) as ch:
        set_fields(thread, deleted=True)
        ch.event_detail["reason"] = "opening post refused"


def set_thread_flags(registry, node, actor, sticky=None, locked=None):
    """Moderators make a thread sticky or not, locked or not (a new version of
    the thread, so its history shows who did); locking also locks the core
    comment thread, which then refuses new posts.  Returns what changed, in
    words ("made sticky, locked"; "" for nothing)."""
    doc = node.doc
    changes = {k: bool(v) for k, v in (("sticky", sticky), ("locked", locked))
               if v is not None}
    words = ", ".join(word for key, word in (("sticky", "made sticky" if sticky else "unstuck"),
                                             ("locked", "locked" if locked else "unlocked"))
                      if key in changes and changes[key] != bool(getattr(doc, key)))
    thread, changed = save_versioned(registry, doc, doc.version, changes, actor, comment=words)
    if "locked" in changes:
        # the core's thread follows the artifact (and catches up should an
        # earlier lock have been saved on the artifact only)
        core = thread_for(thread, create=True, tool_type="discussion")
        if bool(core.locked) != bool(thread.locked):
            set_thread_locked(registry, core, bool(thread.locked), actor)
    node.doc = thread
    return words if changed else ""


def follow_opening_post(event):
    """Subscriber of the core's post events: a thread is as visible as its
    opening post, from the moment the post's change is saved, so a
    moderator's approval publishes the thread (its activity, its mail)
    without waiting for the counters reactor, and a post held or deleted
    later holds the thread at once."""
    post = event.node
    if getattr(event, "tool_type", None) != "discussion" or type(post).__name__ != "Post":
        return
    loaded = loaded_thread(post.ref_id)
    if loaded is not None and loaded.first_post_id and loaded.first_post_id != post._id:
        return      # a reply (an opening post, once named, stays the same): no find
    threads = collection(ForumThread)
    thread = threads.find_one({"_id": post.ref_id}, {"type": 1, "first_post_id": 1,
                                                      "status": 1})
    if thread is None or thread.get("type") != THREAD \
            or thread.get("first_post_id") != post._id:
        return
    status = "deleted" if post.deleted else post.status
    if thread.get("status", "ok") != status:
        threads.update_one({"_id": thread["_id"]}, {"$set": {"status": status}})
        if loaded is not None:
            _set_loaded(loaded, status=status)


def loaded_thread(thread_id):
    """The forum thread as this unit of work loaded it (the action's node,
    read by the traversal), or None when it did not."""
    return session._get().imap.get(ForumThread, thread_id)


def _set_loaded(doc, **fields):
    """Make a loaded document show what a raw write stored, without making a
    clean one dirty (its flush would write it whole again)."""
    was_clean = state(doc).status == ObjectState.clean
    for name, value in fields.items():
        setattr(doc, name, value)
    if was_clean:
        state(doc).status = ObjectState.clean


def no_replies_to_hidden_threads(change):
    """Auditor of ``discussion.post.created``: a thread whose opening post waits
    for a moderator (or was held as spam) takes no replies but its author's
    and moderators' (whose posts come marked ``trusted``)."""
    detail = change.detail
    if detail.get("trusted") or not detail.get("artifact_id"):
        return
    loaded = loaded_thread(detail["artifact_id"])
    if loaded is not None:      # the node the post is added to: no find
        thread = {"type": loaded.type, "status": loaded.status, "author_id": loaded.author_id}
    else:
        thread = collection(ForumThread).find_one({"_id": detail["artifact_id"]},
                                                  {"type": 1, "status": 1, "author_id": 1})
    if thread is None or thread.get("type") != THREAD or thread.get("status", "ok") == "ok":
        return
    if change.actor is not None and change.actor._id == thread.get("author_id"):
        return
    raise Rejected("This thread waits for a moderator; it takes no replies yet.", status=403)
