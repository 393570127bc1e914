"""Comment threads and posts: one implementation that every tool's artifacts share.

Any artifact may have one ``Thread`` (``ref_id`` = the artifact's ``_id``,
unique).  Its ``Post`` documents copy the artifact's ``project_id``,
``tool_id`` and ``path``, so an event about a post (``tracker.post.created``)
names the artifact's place in the tree and is checked against the artifact's
ACL, exactly as Allura keeps posts under their artifact.

Threading is a sortable ``slug``: a reply's slug is its parent's slug, ``/``,
and a segment that grows with time.  Sorting a thread's posts by slug is
therefore a depth-first walk with replies in time order, served by one index.

Counters (``num_posts``, ``last_post_at``) are updated with ``$inc``/``$set``
of numbers (portable to nx-27017); ``locked`` is written with ``set_fields``
(a whole-document write, since the embedded server stores a ``$set`` bool
as an integer).
"""
import os
import time

from ming import schema as S
from ming.odm import FieldProperty, MappedClass

from ..model.session import new_id, session, utcnow

STATUSES = ("ok", "pending", "spam")


class Thread(MappedClass):
    class __mongometa__:
        session = session
        name = "thread"
        unique_indexes = [("ref_id",)]

    _id = FieldProperty(str, if_missing=new_id)
    project_id = FieldProperty(str, if_missing=None)
    tool_id = FieldProperty(str, if_missing=None)
    tool_type = FieldProperty(str, if_missing="")     # "tracker": the topics' first word
    ref_id = FieldProperty(str)                       # the artifact's _id
    ref_path = FieldProperty(str)                     # the artifact's path
    ref_title = FieldProperty(str, if_missing="")
    num_posts = FieldProperty(int, if_missing=0)      # visible ("ok", not deleted) posts
    last_post_at = FieldProperty(float, if_missing=None)  # epoch seconds
    # who wrote the post that last set last_post_at (None: not kept yet, an
    # older thread); stale after that post is hidden, until the next one
    last_author_id = FieldProperty(str, if_missing=None)
    locked = FieldProperty(bool, if_missing=False)
    created = FieldProperty(S.DateTime, if_missing=utcnow)

    @property
    def path(self):
        """Events about the thread name the artifact's place in the tree."""
        return self.ref_path

    @property
    def title(self):
        return self.ref_title


class Post(MappedClass):
    class __mongometa__:
        session = session
        name = "post"
        unique_indexes = [("thread_id", "slug")]
        # the moderation queues of a tool and of a project: held posts, oldest first
        indexes = [("tool_id", "status", "deleted", "created"),
                   ("project_id", "status", "deleted", "created")]

    _id = FieldProperty(str, if_missing=new_id)
    thread_id = FieldProperty(str)
    ref_id = FieldProperty(str)
    project_id = FieldProperty(str, if_missing=None)
    tool_id = FieldProperty(str, if_missing=None)
    tool_type = FieldProperty(str, if_missing="")
    path = FieldProperty(str)                 # the artifact's path
    ref_title = FieldProperty(str, if_missing="")
    parent_id = FieldProperty(str, if_missing=None)
    slug = FieldProperty(str)
    author_id = FieldProperty(str, if_missing=None)
    editor_id = FieldProperty(str, if_missing=None)   # who wrote the current text
    text = FieldProperty(str, if_missing="")
    status = FieldProperty(str, if_missing="ok")
    status_reason = FieldProperty(str, if_missing="")  # why a checker held it
    deleted = FieldProperty(bool, if_missing=False)
    version = FieldProperty(int, if_missing=1)
    # earlier texts, oldest first: {version, text, author_id, timestamp}
    history = FieldProperty([{"version": int, "text": str, "author_id": str,
                              "timestamp": S.DateTime}])
    created = FieldProperty(S.DateTime, if_missing=utcnow)
    modified = FieldProperty(S.DateTime, if_missing=utcnow)
    attachment_ids = FieldProperty([str])
    # what a thread page shows of each attachment, so it needs no query
    attachments = FieldProperty([{"id": str, "filename": str, "content_type": str,
                                  "length": int}])

    @property
    def title(self):
        return "Re: %s" % self.ref_title if self.ref_title else "Comment"

    @property
    def depth(self):
        return self.slug.count("/")

    @property
    def visible(self):
        return self.status == "ok" and not self.deleted


def slug_segment():
    """Sorts by time (microseconds, fixed width), then 4 random hex digits
    so two posts in the same microsecond still get different slugs."""
    return "%014x%s" % (int(time.time() * 1e6), os.urandom(2).hex())
