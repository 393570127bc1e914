"""Events about posts and threads; the topic carries the tool type.

``PostCreated(post, tool_type="tracker")`` has topic ``tracker.post.created``,
so a reactor or auditor may listen to one tool's comments (``wiki.post.*``)
or to all of them (``*.post.created``).  The node is the ``Post`` (or the
``Thread``), whose ``path`` is the artifact's: listeners resolve and check
``read`` on the artifact the comment is under.
"""
from ..events import ForgeEvent


class DiscussionEvent(ForgeEvent):
    noun = "post"
    verb = "changed"

    def __init__(self, node, actor=None, source="web", tool_type=None, **detail):
        super().__init__(node, actor=actor, source=source, **detail)
        self.tool_type = tool_type or node.tool_type or "tool"

    @classmethod
    def topic_for(cls, tool_type):
        return "%s.%s.%s" % (tool_type or "tool", cls.noun, cls.verb)

    @property
    def topic(self):
        return self.topic_for(self.tool_type)


class PostCreated(DiscussionEvent):
    verb = "created"


class PostUpdated(DiscussionEvent):
    verb = "updated"


class PostDeleted(DiscussionEvent):
    verb = "deleted"


class PostApproved(DiscussionEvent):
    verb = "approved"


class ThreadLocked(DiscussionEvent):
    noun = "thread"
    verb = "locked"


class ThreadUnlocked(DiscussionEvent):
    noun = "thread"
    verb = "unlocked"
