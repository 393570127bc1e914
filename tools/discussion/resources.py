"""The discussion tool's tree: tool → forum → thread.

A thread's ``path`` is "{forum}/{id}", so all threads of a forum share the
forum's ``family``; the core's family lookup would load every thread of the
forum to resolve one.  Here each level resolves its child by the unique
(tool_id, path) index instead: one small query per level, two levels.
"""
from zope.interface import implementer

from forge.api import (Artifact, ITool, IVersioned, RawArtifact, ToolResource,
                       VersionedArtifactResource, artifact_type, find_raw, held_acl,
                       principals_allowed, to_pyramid)

from .model import Forum, ForumThread


class IDiscussionTool(ITool):
    """A mounted discussion tool."""


class IForum(IVersioned):
    """One forum."""


class IForumThread(IVersioned):
    """One thread of a forum."""


class OnePath:
    """The artifact at one path of a tool (the ``family`` protocol of the
    core's containers: ``by_path``), loaded by the unique index."""

    def __init__(self, tool_id, path):
        self.by_path = {raw["path"]: RawArtifact(raw) for raw in find_raw(
            Artifact, {"tool_id": tool_id, "path": path})}

    def children_of(self, path):
        return []


@implementer(IForumThread)
class ThreadResource(VersionedArtifactResource):
    """A thread.  While its opening post is not visible (``status`` other
    than "ok") the thread is *held*: its ACL lets only those who may moderate
    the forum, and its author while the post waits, read it, so every page
    (history, versions, diff, activity, feeds, events, search) answers as for
    a private node, and mail waits for the approval (``forge.visibility``)."""

    kind = "artifact"

    def __getitem__(self, name):
        raise KeyError(name)

    @property
    def status(self):
        return getattr(self._doc, "status", None) or "ok"

    @property
    def held(self):
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

    @property
    def forum_node(self):
        return self.__parent__


@implementer(IForum)
class ForumResource(VersionedArtifactResource):

    def artifact_family(self, path):
        return OnePath(self._doc.tool_id, path)

    def thread_resource(self, doc):
        """A thread of this forum as a node (for lists)."""
        return ThreadResource(doc, doc.name, self, None)


@implementer(IDiscussionTool)
class DiscussionTool(ToolResource):

    def artifact_family(self, path):
        return OnePath(self.doc._id, path)

    def artifact_resource(self, doc, name, parent, family):
        cls = artifact_type(doc)
        if issubclass(cls, Forum) and parent is self:
            return ForumResource(doc, name, parent, family)
        if issubclass(cls, ForumThread) and isinstance(parent, ForumResource):
            return ThreadResource(doc, name, parent, family)
        # anything else stored under this tool never meets the discussion views
        return super().artifact_resource(doc, name, parent, family)

    def forum_resource(self, doc):
        return ForumResource(doc, doc.name, self, None)
