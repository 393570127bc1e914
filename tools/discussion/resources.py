"""The discussion tool's tree: tool → forum → thread.

A thread's ``path`` is "{forum}/{id}", so all threads of a forum share the
forum's ``family``; the core's family lookup would load every thread of the
forum to resolve one.  Here each level resolves its child by the unique
(tool_id, path) index instead: one small query per level, two levels.
"""
from zope.interface import implementer

from forge.api import (ITool, IVersioned, OnePathFamily, ToolResource, TypedArtifactResource,
                       held_acl, principals_allowed, to_pyramid)


class IDiscussionTool(ITool):
    """A mounted discussion tool."""


class IForum(IVersioned):
    """One forum."""


class IForumThread(IVersioned):
    """One thread of a forum."""


@implementer(IDiscussionTool)
class DiscussionTool(ToolResource):

    def artifact_family(self, path):
        return OnePathFamily(self._doc._id, path)


class ForumResource(TypedArtifactResource):

    def artifact_family(self, path):
        return OnePathFamily(self._doc.tool_id, path)


class ThreadResource(TypedArtifactResource):
    """A thread.  While its opening post is not visible (``status`` other
    than "ok") the thread is *held*: its ACL lets only those who may moderate
    the forum, and its author while the post waits, read it, so every page
    (history, versions, diff, activity, feeds, events, search) answers as for
    a private node, and mail waits for the approval (``forge.visibility``)."""

    @property
    def status(self):
        return getattr(self._doc, "status", None) or "ok"

    @property
    def held(self):
        """Read by ``forge.visibility.in_held_state``: nothing is mailed about it."""
        return self.status != "ok"

    def __acl__(self):
        own = to_pyramid(self._doc.acl)
        if not self.held:
            return own
        readers = set(principals_allowed(self.__parent__, "moderate"))
        author_id = getattr(self._doc, "author_id", None)
        if author_id and self.status in ("pending", "spam"):
            readers.add("user:%s" % author_id)
        return held_acl(own, readers)
