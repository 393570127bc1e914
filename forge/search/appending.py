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
    def comments(doc, own_text):
        posts = session.db["post"]
        nonlocal post
        if post is None:
            post = posts.find_one({"_id": post_id}, POST_FIELDS)
        if post is None or post.get("ref_id") != artifact_id \
                or post.get("status", "ok") != "ok" or post.get("deleted"):
            return None
        earlier = stored_comments(stored_text(index, artifact_id), own_text)
        if earlier is None:
            return None
        new = plain_text(post.get("text") or "")
        if not new:
            return earlier
        if _ends_with(earlier, new):
            return None             # already in, or the same words twice
        last = posts.find_one({"thread_id": post["thread_id"], "slug": {"$gt": post["slug"]},
                               "status": "ok", "deleted": False}, {"text": 1},
                              sort=[("slug", -1)])
        if last is not None and _ends_with(earlier, plain_text(last.get("text") or "")):
            return None             # the thread's last post is indexed already
        return earlier + " " + new if earlier else new
    return comments


def _ends_with(comments, text):
    return bool(text) and (comments == text or comments.endswith(" " + text))
