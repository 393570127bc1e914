"""Changes to forums and threads.

Forums and threads are versioned artifacts (``forge.actions.versions``: the
core audits, snapshots and announces ``discussion.forum.*`` and
``discussion.thread.*``).  Posts are the core's: a new thread's opening post
is ``forge.discussion.actions.add_post`` on the new thread's node, so the
moderation, spam auditors, attachments and ``discussion.post.*`` events are
the same as for a wiki page's or a ticket's comments.
"""
import time

from forge.api import (ActionError, ArtifactDeleted, InvalidName, PostCreated, add_post, change,
                       check_description, check_shortname, check_text, check_title, collection,
                       create_versioned, new_id, role_named, run_auditors, save_versioned,
                       session, set_fields, set_thread_locked, thread_for, with_privacy)

from .model import THREAD, Forum, ForumThread


def check_forum_name(name):
    try:
        return check_shortname((name or "").strip(), "forum's short name")
    except InvalidName as e:
        raise ActionError(str(e))


def check_subject(subject):
    if not (subject or "").strip():
        raise ActionError("A subject is required.")
    try:
        return check_title(subject)
    except ActionError as e:
        raise ActionError(str(e).replace("title", "subject").replace("A subject", "The subject"))


def forum_acl(project_doc, private):
    """A forum's own ACL: empty (inherit the tool's), or readable by the
    project's members only (Developers and Admins hold Member too)."""
    if not private:
        return []
    member = role_named(project_doc, "Member")
    return with_privacy([], True, [member.principal] if member is not None else [])


def create_forum(registry, project_doc, tool_doc, name, title, description, actor,
                 private=False, source="web"):
    name = check_forum_name(name)
    title = check_title(title)
    description = check_description(description)
    if Forum.query.get(tool_id=tool_doc._id, path=name) is not None:
        raise ActionError("There is already a forum called %r." % name)
    return create_versioned(
        registry, Forum, actor, comment="created", source=source, path=name,
        project_id=tool_doc.project_id, tool_id=tool_doc._id,
        acl=forum_acl(project_doc, private), title=title, description=description,
        labels=[], custom={}, ext={})


def update_forum(registry, forum_doc, edited_version, title, description, actor):
    """Returns (forum, changed); raises StaleSave when someone saved meanwhile."""
    changes = {"title": check_title(title), "description": check_description(description)}
    return save_versioned(registry, forum_doc, edited_version, changes, actor)


def create_thread(registry, forum_node, subject, text, actor, uploads=(),
                  may_skip_moderation=False, trusted=False, source="web"):
    """A new thread in ``forum_node`` whose opening post is ``text``.

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
    name = new_id()
    thread = create_versioned(
        registry, ForumThread, actor, comment="created", source=source,
        path="%s/%s" % (forum.path, name), forum=forum.path,
        project_id=forum.project_id, tool_id=forum.tool_id, acl=[], title=subject,
        status="ok" if may_skip_moderation else "pending", last_post_at=time.time(),
        labels=[], custom={}, ext={})
    node = forum_node.thread_resource(thread)
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
                   detail={"artifact_id": None, "path": forum.path, "tool_id": forum.tool_id,
                           "project_id": forum.project_id, "tool_type": "discussion",
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


def rename_thread(registry, doc, edited_version, subject, actor):
    """A new subject (a new version of the thread); StaleSave when someone
    saved meanwhile."""
    return save_versioned(registry, doc, edited_version, {"title": check_subject(subject)},
                          actor, comment="new subject")


def set_thread_flags(registry, node, actor, sticky=None, locked=None):
    """Moderators make a thread sticky or not, locked or not (a new version of
    the thread, so its history shows who did); locking also locks the core
    comment thread, which then refuses new posts."""
    doc = node.doc
    changes = {}
    if sticky is not None:
        changes["sticky"] = bool(sticky)
    if locked is not None:
        changes["locked"] = bool(locked)
    thread, changed = save_versioned(registry, doc, doc.version, changes, actor,
                                     comment=flags_comment(doc, changes))
    if "locked" in changes:
        # the core's thread follows the artifact (and catches up should an
        # earlier lock have been saved on the artifact only)
        core = thread_for(thread, create=True, tool_type="discussion")
        if bool(core.locked) != bool(thread.locked):
            set_thread_locked(registry, core, bool(thread.locked), actor)
    node.doc = thread
    return thread, changed


def flags_comment(doc, changes):
    words = []
    if "sticky" in changes and changes["sticky"] != bool(doc.sticky):
        words.append("made sticky" if changes["sticky"] else "unstuck")
    if "locked" in changes and changes["locked"] != bool(doc.locked):
        words.append("locked" if changes["locked"] else "unlocked")
    return ", ".join(words)


def delete_thread(registry, node, actor):
    """Mark the thread deleted (moderators); it answers 404 from now on."""
    doc = node.doc
    with change(registry, ArtifactDeleted, node=doc, actor=actor,
                old={"deleted": False}, new={"deleted": True}) as ch:
        set_fields(doc, deleted=True)
        ch.log("discussion.thread.delete", "deleted thread %s" % doc.title, path=doc.path)



def follow_opening_post(event):
    """Subscriber of the core's post events: a thread is as visible as its
    opening post, from the moment the post's change is saved, so a
    moderator's approval publishes the thread (its activity, its mail)
    without waiting for the counters reactor, and a post held or deleted
    later holds the thread at once."""
    post = event.node
    if getattr(event, "tool_type", None) != "discussion" or type(post).__name__ != "Post":
        return
    threads = collection(ForumThread)
    thread = threads.find_one({"_id": post.ref_id}, {"type": 1, "first_post_id": 1,
                                                      "status": 1})
    if thread is None or thread.get("type") != THREAD \
            or thread.get("first_post_id") != post._id:
        return
    status = "deleted" if post.deleted else post.status
    if thread.get("status", "ok") != status:
        threads.update_one({"_id": thread["_id"]}, {"$set": {"status": status}})
