"""The wiki's resources: the tool, its pages, and a renamed page's old path (``MovedPage``)."""
from zope.interface import Interface, implementer

from forge.api import ITool, ITypedArtifact, ToolResource, TypedArtifactResource

from .model import WikiRedirect


class IWikiTool(ITool):
    """A mounted wiki."""


class IWikiPage(ITypedArtifact):
    """One wiki page."""


class IMovedPage(Interface):
    """A path a page was renamed away from."""


class RedirectingContainer:
    """A name that misses but a page was renamed away from (one indexed query,
    only on a miss) is a ``MovedPage`` instead of a 404."""

    def __getitem__(self, name):
        try:
            return super().__getitem__(name)
        except KeyError:
            moved = None if name.startswith("@@") else WikiRedirect.query.get(
                tool_id=self.tool_node.doc._id, old_path=self.child_path(name))
            if moved is None:
                raise
            return MovedPage(moved.new_path, name, self)


class WikiPageResource(RedirectingContainer, TypedArtifactResource):
    """The base of the page type's resource (``add_artifact_type(resource=)``)."""


@implementer(IWikiTool)
class WikiTool(RedirectingContainer, ToolResource):

    @property
    def home_name(self):
        return (self.doc.options or {}).get("home") or "Home"

    def page_at(self, path):
        """The page node at ``path`` through the tree (its ACL lineage complete),
        or None when the page or one of its parents is missing."""
        node = self
        for name in path.split("/"):
            try:
                node = node[name]
            except KeyError:
                return None
            if not isinstance(node, WikiPageResource):
                return None         # a MovedPage
        return node


@implementer(IMovedPage)
class MovedPage:
    """Where an old URL leads: ``target`` is the new path plus what followed
    the old one in the URL (``/wiki/Old/Sub/`` leads to ``/wiki/New/Sub/``)."""

    __acl__ = ()

    def __init__(self, target, name, parent):
        self.target, self.__name__, self.__parent__ = target, name, parent

    @property
    def tool_node(self):
        return self.__parent__.tool_node

    @property
    def title(self):
        return self.__name__

    def __getitem__(self, name):
        if name.startswith("@@"):
            raise KeyError(name)
        return MovedPage(self.target + "/" + name, name, self)
