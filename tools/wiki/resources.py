"""The wiki's resources: the tool, its pages, and what an old (renamed) path is.

When a name misses, the tool and its pages look for a ``WikiRedirect`` of that
path (one more indexed query, only on a miss) and return a ``MovedPage``, which
collects the rest of the URL so that ``/wiki/Old/Sub/`` leads to ``/wiki/New/Sub/``.
"""
from zope.interface import Interface, implementer

from forge.api import ArtifactFamily, ITool, ITypedArtifact, ToolResource, TypedArtifactResource

from .model import WikiRedirect

DEFAULT_HOME = "Home"


class IWikiTool(ITool):
    """A mounted wiki."""


class IWikiPage(ITypedArtifact):
    """One wiki page."""


class IMovedPage(Interface):
    """A path a page was renamed away from."""


class RedirectingContainer:
    """A miss on a renamed path becomes a ``MovedPage`` instead of a 404."""

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

    @property
    def path(self):
        return self._doc.path


@implementer(IWikiTool)
class WikiTool(RedirectingContainer, ToolResource):

    @property
    def home_name(self):
        return (self.doc.options or {}).get("home") or DEFAULT_HOME

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

    def node_in_family(self, path, families):
        """The page node at ``path`` built from its family, loaded once per
        family into ``families`` (the caller's dict for one list)."""
        name = path.split("/", 1)[0]
        family = families.get(name) or families.setdefault(
            name, ArtifactFamily(self.doc._id, name))
        node = self
        for segment in path.split("/"):
            doc = family.by_path.get(node.child_path(segment))
            if doc is None or doc.deleted:
                return None
            node = self.artifact_resource(doc, segment, node, family)
        return node


@implementer(IMovedPage)
class MovedPage:
    """Where a renamed page's old URL leads: ``target`` is the new path plus
    whatever followed the old one in the URL."""

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
