"""A new comment added to the text already indexed, not the thread re-read.

Re-indexing an artifact for each post read every post of its thread (and
converted all their Markdown): the cost grew with the thread.  When a
visible post is the last of its thread in thread order (no post sorts after
its slug), the artifact's indexed text is its own text, then its comments
in that order, so the new document is the stored comments plus this post.
Everything else of the document (title, fields, read terms) is built as
always.  Whenever that cannot be told for sure the whole thread is read, as
before: the post is gone, hidden or not last; the stored text is missing,
cut at ``MAX_TEXT``, or does not start with the artifact's current own text;
or the stored comments already end with this post's text (a retried event,
or two posts alike in a row: re-reading makes both right).  A later event
about an earlier post (deleted, held, approved, edited) re-reads the thread.
"""
from tantivy import Query

from ..model.session import session
from ..rendering import markdown_to_text
from .documents import stored_comments


def stored_text(index, artifact_id):
    """The ``text`` indexed for ``artifact_id`` (None if not indexed)."""
    searcher = index.searcher()
    hits = searcher.search(Query.term_query(index.schema, "id", artifact_id), 1).hits
    if not hits:
        return None
    values = searcher.doc(hits[0][1]).to_dict().get("text") or [""]
    return values[0]


def last_post_comments(index, artifact_id, post_id):
    """``comments(doc, own_text)`` for ``build_document``: the stored comments
    with post ``post_id`` appended, or None (read the thread)."""
    def comments(doc, own_text):
        posts = session.db["post"]
        post = posts.find_one({"_id": post_id}, {"text": 1, "status": 1, "deleted": 1,
                                                 "thread_id": 1, "slug": 1, "ref_id": 1})
        if post is None or post.get("ref_id") != artifact_id \
                or post.get("status", "ok") != "ok" or post.get("deleted"):
            return None
        if posts.find_one({"thread_id": post["thread_id"], "slug": {"$gt": post["slug"]}},
                          {"_id": 1}) is not None:
            return None             # not last in thread order
        earlier = stored_comments(stored_text(index, artifact_id), own_text)
        if earlier is None:
            return None
        new = markdown_to_text(post.get("text") or "")
        if not new:
            return earlier
        if earlier == new or earlier.endswith(" " + new):
            return None             # already in, or the same words twice
        return earlier + " " + new if earlier else new
    return comments
