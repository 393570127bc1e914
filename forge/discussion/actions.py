"""Changes to threads and posts: post, reply, edit, moderate, delete, lock.

Each validates its input, then is one unit of work (``forge.unit_of_work``):
the auditors of the event's topic (``{tool}.post.created`` ...; the spam
checker is one of them), the write, the audit-log entry, the event, the flush.  Whether the actor may do
it (``post``, ``unmoderated_post``, ``moderate`` on the artifact) is the
caller's question: the views ask the request, the mail gateway its sender.

A post is visible when ``status == "ok"`` and it is not deleted; only visible
posts count in ``Thread.num_posts``.
"""
import time
from types import SimpleNamespace

from ming.odm import state
from ming.odm.odmsession import ObjectState
from pymongo.errors import DuplicateKeyError

from ..actions import ActionError, Conflict
from ..attachments import AttachmentTooLarge, max_bytes, save_attachment
from ..model import Artifact, session, utcnow
from ..model.session import collection, set_fields
from .events import (PostApproved, PostCreated, PostDeleted, PostUpdated, ThreadLocked,
                     ThreadUnlocked)
from .model import STATUSES, Post, Thread, slug_segment
from ..unit_of_work import change

MAX_TEXT = 64 * 1024
MAX_DEPTH = 40          # replies nest at most this deep (the slug grows per level)
MAX_UPLOADS = 10
DECISIONS = ("approve", "spam", "delete")


class LockedThread(ActionError):
    status = 409


def thread_for(ref_doc, create=False, tool_type=None):
    """The thread of an artifact document; with ``create``, made on first use
    (two first posts racing both end up in the one thread: ``ref_id`` is unique)."""
    thread = Thread.query.get(ref_id=ref_doc._id)
    if thread is not None or not create:
        return thread
    thread = Thread(project_id=ref_doc.project_id, tool_id=ref_doc.tool_id,
                    tool_type=tool_type or "", ref_id=ref_doc._id, ref_path=ref_doc.path,
                    ref_title=getattr(ref_doc, "title", "") or "")
    try:
        session.flush(thread)
    except DuplicateKeyError:
        session.expunge(thread)
        thread = Thread.query.get(ref_id=ref_doc._id)
    return thread


def sync_thread(ref_doc):
    """Make the thread and posts of ``ref_doc`` follow its current path and
    title (after a rename or a move), so their events name the artifact where
    it is now.  Called for every ``ArtifactModified`` (see ``includeme``) and
    before each change to an older post; a no-op when nothing moved."""
    thread = Thread.query.get(ref_id=ref_doc._id)
    if thread is None:
        return None
    path, title = ref_doc.path, getattr(ref_doc, "title", "") or ""
    if thread.ref_path == path and thread.ref_title == title:
        return thread
    # strings only: a $set of them is portable; the posts by the thread index
    collection(Thread).update_one({"_id": thread._id},
                                  {"$set": {"ref_path": path, "ref_title": title}})
    collection(Post).update_many({"thread_id": thread._id},
                                 {"$set": {"path": path, "ref_title": title}})
    _refresh(thread, ref_path=path, ref_title=title)
    return thread


def _follow_artifact(post):
    """Before changing an older post: its artifact may have moved since."""
    raw = collection(Artifact).find_one({"_id": post.ref_id}, {"path": 1, "title": 1})
    if raw is not None and (raw.get("path") != post.path
                            or (raw.get("title") or "") != post.ref_title):
        sync_thread(SimpleNamespace(_id=post.ref_id, path=raw.get("path"),
                                    title=raw.get("title") or ""))
        _refresh(post, path=raw.get("path"), ref_title=raw.get("title") or "")


def _refresh(doc, **fields):
    """Tell this session's copy what a direct write just stored."""
    for name, value in fields.items():
        setattr(doc, name, value)
    state(doc).status = ObjectState.clean


def check_text(text):
    """The Markdown of a post, normalised; ``ActionError`` (400) says what is wrong."""
    text = (text or "").replace("\r\n", "\n")
    if not text.strip():
        raise ActionError("Write something before posting: the text is empty.")
    if len(text) > MAX_TEXT:
        raise ActionError("A post may be at most %d characters (this one has %d)."
                          % (MAX_TEXT, len(text)))
    if "\x00" in text:
        raise ActionError("The text may not contain NUL characters.")
    return text


def check_status(status):
    if status not in STATUSES:
        raise ActionError("A post's status is one of %s, not %r." % (", ".join(STATUSES), status))
    return status


def add_post(registry, node, text, actor, parent_id=None, uploads=(), source="web",
             may_skip_moderation=False, trusted=False):
    """A new post under the artifact resource ``node`` (a reply when
    ``parent_id`` names a post of its thread).  ``uploads``: a list of
    ``(filename, fileobj, content_type)`` stored with ``forge.attachments``.
    The post is ``ok`` when ``may_skip_moderation``, else ``pending``; the
    ``{tool}.post.created`` auditors may hold it (``status`` "spam"/"pending")
    or reject it.  ``trusted`` (the actor may moderate here) skips the spam
    checker."""
    ref = node.doc
    tool_type = _stored_doc(node.tool_node).tool
    text = check_text(text)
    uploads = list(uploads or ())
    if len(uploads) > MAX_UPLOADS:
        raise ActionError("A post may have at most %d attachments." % MAX_UPLOADS)
    check_upload_sizes(registry, uploads)
    thread = _thread_of(ref)
    if thread is not None and thread.locked:
        raise LockedThread("This discussion is locked: it takes no new posts.")
    parent = _parent(thread, parent_id)
    status = "ok" if may_skip_moderation else "pending"
    with change(registry, PostCreated, topic=PostCreated.topic_for(tool_type), node_type="Post",
                new={"text": text, "status": status, "status_reason": "",
                     "parent_id": parent._id if parent else None,
                     "attachments": [u[0] for u in uploads]},
                actor=actor, source=source,
                artifact_id=ref._id, path=ref.path, tool_id=ref.tool_id,
                project_id=ref.project_id, tool_type=tool_type,
                may_skip_moderation=bool(may_skip_moderation), trusted=bool(trusted)) as ch:
        text = check_text(ch.new.get("text"))
        status = check_status(ch.new.get("status", status))
        thread = thread or thread_for(ref, create=True, tool_type=tool_type)
        now = utcnow()
        post = ch.node = Post(
            thread_id=thread._id, ref_id=ref._id, project_id=ref.project_id,
            tool_id=ref.tool_id, tool_type=tool_type, path=ref.path,
            ref_title=getattr(ref, "title", "") or "", parent_id=parent._id if parent else None,
            slug=(parent.slug + "/" if parent else "") + slug_segment(),
            author_id=actor._id if actor else None, editor_id=actor._id if actor else None,
            text=text, status=status, status_reason=str(ch.new.get("status_reason") or "")[:200],
            version=1, history=[], created=now, modified=now, attachment_ids=[], attachments=[])
        # may_mention: whether the text has an "@" at all (forge.mentions reads
        # the post only when it does; most comments mention nobody)
        ch.event_detail.update(tool_type=tool_type, status=status, parent_id=post.parent_id,
                               thread_id=thread._id, may_mention="@" in text,
                               **post_facts(node, post))
    # attachments name the post they belong to, so it is saved first
    if uploads:
        _store_uploads(registry, ref, post, uploads, actor)
    if post.visible:
        _count(thread, +1, touch=True, author_id=post.author_id)
    return post


def post_facts(node, post):
    """What the reactors of a new post would otherwise read back (its artifact
    and slug, its project's ``family_key``), for its event.  Ids only, never
    the text or the artifact's title: the live events stream and webhooks
    decide by the node a path names *now*, which after a move or a change of
    permissions is not the one the event was about (``tests/test_leaks.py``,
    live_events), so an event carries names and ids, no content.  Reactors
    take a fact only when the event has it: older events still read."""
    tool_doc = _stored_doc(getattr(node, "tool_node", None))
    neighborhood_id = getattr(tool_doc, "neighborhood_id", None)
    family = getattr(tool_doc, "family", None)
    facts = {"artifact_id": post.ref_id, "slug": post.slug}
    if neighborhood_id and family:      # as the project's (the tool keeps a copy)
        facts["family_key"] = "%s/%s" % (neighborhood_id, family)
    return facts


def _stored_doc(node):
    """A node's document as stored when it was read so (the tool of a comment:
    its Ming object, built and validated only to read its type, was the one
    a reply by mail made for nothing), else its Ming object."""
    return getattr(node, "_doc", None) or getattr(node, "doc", None)


def _thread_of(ref_doc):
    """The id and lock of an artifact's thread as stored (None before its
    first post): a new post needs no Ming object of its thread, whose counters
    ``_count`` then moves with one atomic write."""
    raw = collection(Thread).find_one({"ref_id": ref_doc._id}, {"locked": 1})
    if raw is None:
        return None
    return SimpleNamespace(_id=raw["_id"], locked=bool(raw.get("locked")))


def _parent(thread, parent_id):
    if not parent_id:
        return None
    parent = Post.query.get(_id=str(parent_id)) if thread is not None else None
    if parent is None or parent.thread_id != thread._id:
        raise ActionError("The post you replied to is not in this discussion.")
    if not parent.visible:
        raise ActionError("The post you replied to is not shown (it was deleted or "
                          "waits for a moderator); reply to the discussion instead.")
    if parent.depth + 1 >= MAX_DEPTH:
        raise ActionError("Replies nest at most %d deep; reply further up." % MAX_DEPTH)
    return parent


def check_upload_sizes(registry, uploads):
    """Refuse an over-size upload before anything is saved (413 with the limit)."""
    if not uploads:
        return
    limit = max_bytes(registry.settings)
    for _filename, fileobj, _content_type in uploads:
        position = fileobj.tell()
        fileobj.seek(0, 2)
        size = fileobj.tell() - position
        fileobj.seek(position)
        if size > limit:
            raise AttachmentTooLarge(limit)


def _store_uploads(registry, ref, post, uploads, actor):
    ids, shown = [], []
    for filename, fileobj, content_type in uploads:
        attachment = save_attachment(registry, ref, filename, fileobj, content_type, actor,
                                     post_id=post._id)
        ids.append(attachment._id)
        shown.append({"id": attachment._id, "filename": attachment.filename,
                      "content_type": attachment.content_type,
                      "length": int(attachment.length or 0)})
    set_fields(post, attachment_ids=ids, attachments=shown)


def edit_post(registry, post, text, actor, edited_version=None, source="web",
              trusted=False):
    """Replace the text of ``post`` (its old text goes to ``history``).
    Returns ``(post, changed)``.  With ``edited_version``, a post changed since
    is a 409 rather than a silent overwrite."""
    if post.deleted:
        raise Conflict("This post was deleted; it cannot be edited.")
    text = check_text(text)
    if edited_version is not None and edited_version != post.version:
        raise Conflict("Someone changed this post while you were editing it; "
                       "reload the page and edit the new version.")
    if text == post.text:
        return post, False
    _follow_artifact(post)
    with change(registry, PostUpdated, topic=PostUpdated.topic_for(post.tool_type), node=post,
                old={"text": post.text, "status": post.status},
                new={"text": text, "status": post.status, "status_reason": post.status_reason},
                actor=actor, source=source, edit=True, path=post.path,
                trusted=bool(trusted)) as ch:
        was_visible = post.visible
        fresh = _replace_text(post, actor, ch.new)
        ch.node = fresh
        ch.event_detail.update(version=fresh.version, status=fresh.status)
    if was_visible and not fresh.visible:
        _count_id(fresh.thread_id, -1)
    return fresh, True


def _replace_text(post, actor, new):
    """Write version + 1 of ``post`` with ``new`` text and status, conditioned on
    the version read (a concurrent edit is a 409); the post as stored now."""
    text = check_text(new.get("text"))
    status = check_status(new.get("status", post.status))
    version = post.version
    documents = collection(Post)
    current = documents.find_one({"_id": post._id})
    if current is None or current.get("version") != version:
        raise Conflict("Someone changed this post while you were editing it; "
                       "reload the page and edit the new version.")
    now = utcnow()
    earlier = list(current.get("history") or [])
    earlier.append({"version": version, "text": current.get("text", ""),
                    "author_id": current.get("editor_id") or current.get("author_id"),
                    "timestamp": current.get("modified") or now})
    document = dict(current, text=text, status=status, version=version + 1, modified=now,
                    editor_id=actor._id if actor else None, history=earlier,
                    status_reason=str(new.get("status_reason") or "")[:200])
    if documents.replace_one({"_id": post._id, "version": version}, document).matched_count != 1:
        raise Conflict("Someone changed this post while you were editing it; "
                       "reload the page and edit the new version.")
    session.expunge(post)
    return Post.query.get(_id=post._id)


def moderate_post(registry, post, decision, actor, source="web"):
    """``approve`` (pending or spam -> ok), ``spam`` (held, hidden) or ``delete``."""
    if decision not in DECISIONS:
        raise ActionError("A moderation decision is one of %s, not %r."
                          % (", ".join(DECISIONS), str(decision)[:40]))
    if decision == "delete":
        return delete_post(registry, post, actor, source=source)
    if post.deleted:
        raise Conflict("This post was deleted already.")
    status = "ok" if decision == "approve" else "spam"
    if post.status == status:
        return post
    _follow_artifact(post)
    event_class = PostApproved if decision == "approve" else PostUpdated
    with change(registry, event_class, topic=event_class.topic_for(post.tool_type), node=post,
                old={"status": post.status}, new={"status": status}, actor=actor,
                source=source, decision=decision, path=post.path) as ch:
        was_visible = post.visible
        set_fields(post, status=status, status_reason="" if status == "ok" else "moderator")
        _log_on_artifact(ch, post, "post.%s" % decision, "%s a post in %s" % (
            "approved" if decision == "approve" else "marked as spam",
            post.ref_title or post.path))
        ch.event_detail.update(status=status, decision=decision)
    if post.visible and not was_visible:
        _count_id(post.thread_id, +1, touch=True, author_id=post.author_id)
    elif was_visible and not post.visible:
        _count_id(post.thread_id, -1)
    return post


def delete_post(registry, post, actor, source="web"):
    """Mark ``post`` deleted: it disappears (its replies stay, under a placeholder)."""
    if post.deleted:
        return post
    _follow_artifact(post)
    with change(registry, PostDeleted, topic=PostDeleted.topic_for(post.tool_type), node=post,
                old={"deleted": False}, new={"deleted": True}, actor=actor, source=source,
                path=post.path) as ch:
        was_visible = post.visible
        set_fields(post, deleted=True)
        _log_on_artifact(ch, post, "post.delete",
                         "deleted a post in %s" % (post.ref_title or post.path))
    if was_visible:
        _count_id(post.thread_id, -1)
    return post


def set_thread_locked(registry, thread, locked, actor, source="web"):
    """Lock (no new posts) or unlock a thread; tools call it (a forum's lock)."""
    locked = bool(locked)
    if bool(thread.locked) == locked:
        return thread
    event_class = ThreadLocked if locked else ThreadUnlocked
    with change(registry, event_class, topic=event_class.topic_for(thread.tool_type),
                node=thread, old={"locked": bool(thread.locked)}, new={"locked": locked},
                actor=actor, source=source, path=thread.ref_path) as ch:
        set_fields(thread, locked=locked)
        _log_on_artifact(ch, SimpleNamespace(ref_id=thread.ref_id, project_id=thread.project_id),
                         "thread.lock" if locked else "thread.unlock",
                         "%s the discussion" % ("locked" if locked else "unlocked"))
        ch.event_detail["locked"] = locked
    return thread


def _log_on_artifact(ch, post, action, summary):
    """Audit-log entries go on the artifact, whose history admins read."""
    ch.log(action, summary, node=SimpleNamespace(_id=post.ref_id), kind="artifact",
           project_id=post.project_id, post_id=getattr(post, "_id", None))


def _count(thread, delta, touch=False, author_id=None):
    _count_id(thread._id, delta, touch, author_id)


def _count_id(thread_id, delta, touch=False, author_id=None):
    """``$inc`` of the visible-post counter (and ``$set`` of the epoch float
    ``last_post_at`` with its post's author, one write, so the two agree):
    atomic, portable, never a whole-document race.  A copy of the thread in
    this session is refreshed, not left stale."""
    update = {"$inc": {"num_posts": delta}}
    now = time.time()
    if touch:
        update["$set"] = {"last_post_at": now, "last_author_id": author_id or ""}
    collection(Thread).update_one({"_id": thread_id}, update)
    odm = session._get()
    thread = odm.imap.get(Thread, thread_id)
    if thread is not None:
        session.expunge(thread)
