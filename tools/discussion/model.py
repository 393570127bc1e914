"""The discussion tool's two artifact types: forums and the threads in them.

Posts are the core's (``forge.discussion``): a ``ForumThread`` is the artifact
a core comment thread hangs on, and its opening post is the thread's first
core post.  What the forum and thread lists sort and show (post counts, the
last post) is copied here by the ``discussion.counters`` reactor
(``tools.discussion.reactors``), so a list page is one indexed range scan.
"""
from ming.odm import FieldProperty

from forge.api import VersionedArtifact

FORUM = "discussion.forum"
THREAD = "discussion.thread"


class Forum(VersionedArtifact):
    """A forum; ``path`` is its short name ("general")."""

    class __mongometa__:
        polymorphic_identity = FORUM
        # the tool page lists the tool's forums by title
        indexes = [("tool_id", "type", "deleted", "title")]

    type = FieldProperty(str, if_missing=FORUM)
    description = FieldProperty(str, if_missing="")
    # denormalised by the counters reactor (numbers and strings only: they are $set)
    num_threads = FieldProperty(int, if_missing=0)
    num_posts = FieldProperty(int, if_missing=0)
    last_post_at = FieldProperty(float, if_missing=0.0)
    last_thread_path = FieldProperty(str, if_missing="")
    last_thread_title = FieldProperty(str, if_missing="")
    last_author_id = FieldProperty(str, if_missing="")
    versioned_fields = ("title", "description", "labels", "custom", "ext")


class ForumThread(VersionedArtifact):
    """A thread of a forum; ``path`` is "{forum}/{id}", ``title`` its subject.

    ``status`` mirrors the status of the opening post ("ok", "pending",
    "spam", "deleted"): a thread whose opening post waits for a moderator is
    listed only for moderators and its author.
    """

    class __mongometa__:
        polymorphic_identity = THREAD
        # the forum page: sticky threads first, then by last activity
        indexes = [("tool_id", "forum", "deleted", "sticky", "last_post_at")]

    type = FieldProperty(str, if_missing=THREAD)
    forum = FieldProperty(str, if_missing="")          # the forum's path
    sticky = FieldProperty(bool, if_missing=False)
    locked = FieldProperty(bool, if_missing=False)
    status = FieldProperty(str, if_missing="ok")
    first_post_id = FieldProperty(str, if_missing="")
    # denormalised by the counters reactor
    num_posts = FieldProperty(int, if_missing=0)
    last_post_at = FieldProperty(float, if_missing=0.0)
    last_author_id = FieldProperty(str, if_missing="")
    versioned_fields = ("title", "sticky", "locked", "labels", "custom", "ext")
