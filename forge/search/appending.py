"""A new comment added to the text already indexed, not the thread re-read.

Re-indexing an artifact for each post read every post of its thread (and
converted all their Markdown): the cost grew with the thread.  The
artifact's indexed text is its own text, then its comments in thread order,
each converted on its own, so for a visible post the new document is the
stored comments plus this post.  Everything else of the document (title,
fields, read terms) is built as always.

The reactor usually lags behind the posts (a burst of mail): when post k's
event is handled, posts k+1... exist but are not indexed yet.  Appending k
is right then, and their events append them in turn.  Whenever the result
cannot be told right the whole thread is read, as before: the post is gone
or hidden; the stored text is missing, cut at ``MAX_TEXT``, or does not
start with the artifact's current own text; the stored comments already end
with this post's text (a retried event, or two posts alike in a row), or
with the last later post's (that one was indexed first).  A later event
about any post (deleted, held, approved, edited) re-reads the thread.

What is not exact: events handled out of their posts' order (two mail
threads saving posts at the same moment, or a retry after a later post was
indexed) can leave a post out of thread order in the text until the next
re-read; the same words are indexed, only a phrase spanning two posts and
the order of snippets can differ.
"""
from tantivy import Query

from ..model.session import session
from .documents import plain_text, stored_comments


def stored_text(index, artifact_id):
    """The ``text`` indexed for ``artifact_id`` (None if not indexed)."""
    searcher = index.searcher()
    hits = searcher.search(Query.term_query(index.schema, "id", artifact_id), 1).hits
    if not hits:
        return None
    values = searcher.doc(hits[0][1]).to_dict().get("text") or [""]
    return values[0]


POST_FIELDS = {"text": 1, "status": 1, "deleted": 1, "thread_id": 1, "slug": 1, "ref_id": 1}


def last_post_comments(index, artifact_id, post_id, post=None):
    """``comments(doc, own_text)`` for ``build_document``: the stored comments
    with post ``post_id`` appended, or None (read the thread).  ``post``: the
    post as just read (``POST_FIELDS``), else it is read here."""
    if post is None:
        post = session.db["post"].find_one({"_id": post_id}, POST_FIELDS) or {"_id": post_id}
    return posts_comments(index, artifact_id, [post])


def posts_comments(index, artifact_id, posts):
    """``comments(doc, own_text)`` for ``build_document``: the stored comments
    with ``posts`` (stored posts, ``POST_FIELDS``: the visible posts of one
    batch on this artifact) appended in thread order, or None (read the
    thread).  The checks are those of one post, made for each: every post
    still visible and on this artifact; the stored comments end with none
    of them (already in), nor with the thread's last post after them (that
    one was indexed first)."""
    def comments(doc, own_text):
        ordered = sorted(posts, key=lambda p: p.get("slug") or "")
        if not ordered or any(
                p.get("ref_id") != artifact_id or p.get("status", "ok") != "ok"
                or p.get("deleted") or p.get("slug") is None for p in ordered):
            return None
        earlier = stored_comments(stored_text(index, artifact_id), own_text)
        if earlier is None:
            return None
        new = [text for text in (plain_text(p.get("text") or "") for p in ordered) if text]
        if not new:
            return earlier
        if any(_ends_with(earlier, text) for text in new):
            return None             # already in, or the same words twice
        last = session.db["post"].find_one(
            {"thread_id": ordered[-1].get("thread_id"), "slug": {"$gt": ordered[-1]["slug"]},
             "status": "ok", "deleted": False}, {"text": 1}, sort=[("slug", -1)])
        if last is not None and _ends_with(earlier, plain_text(last.get("text") or "")):
            return None             # the thread's last post is indexed already
        return " ".join(([earlier] if earlier else []) + new)
    return comments


def _ends_with(comments, text):
    return bool(text) and (comments == text or comments.endswith(" " + text))
