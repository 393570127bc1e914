"""The wiki's resources: the tool, its pages, and what an old (renamed) path is.

``WikiTool`` and ``WikiPageResource`` resolve children like every tool (one
family query whatever the depth).  When a name misses they look for a
``WikiRedirect`` of that path (one more indexed query, only on a miss) and
return a ``MovedPage``, which keeps collecting the rest of the URL so that
``/wiki/Old/Sub/`` redirects to ``/wiki/New/Sub/``.
"""
from zope.interface import Interface, implementer

from forge.api import (ArtifactFamily, ITool, IVersioned, RawArtifact, ToolResource,
                       VersionedArtifactResource, artifact_type)

from .model import WikiPage, WikiRedirect

DEFAULT_HOME = "Home"


class IWikiTool(ITool):
    """A mounted wiki."""


class IWikiPage(IVersioned):
    """One wiki page."""


class IMovedPage(Interface):
    """A path a page was renamed away from."""


def redirect_for(tool_id, path):
    return WikiRedirect.query.get(tool_id=tool_id, old_path=path)


class RedirectingContainer:
    """A miss on a renamed path becomes a ``MovedPage`` instead of a 404."""

    def __getitem__(self, name):
        try:
            return super().__getitem__(name)
        except KeyError:
            if name.startswith("@@"):
                raise
            moved = redirect_for(self.tool_node.doc._id, self.child_path(name))
            if moved is None:
                raise
            return MovedPage(moved.new_path, name, self)


@implementer(IWikiPage)
class WikiPageResource(RedirectingContainer, VersionedArtifactResource):

    @property
    def family(self):
        """Loaded on first use: lists build pages without their family."""
        if self._family is None:
            self._family = ArtifactFamily(self._doc.tool_id, self._doc.family)
        return self._family

    @family.setter
    def family(self, value):
        self._family = value

    @property
    def path(self):
        return self._doc.path


@implementer(IWikiTool)
class WikiTool(RedirectingContainer, ToolResource):

    @property
    def home_name(self):
        return (self.doc.options or {}).get("home") or DEFAULT_HOME

    def artifact_resource(self, doc, name, parent, family):
        if issubclass(artifact_type(doc), WikiPage):
            return WikiPageResource(doc, name, parent, family)
        return super().artifact_resource(doc, name, parent, family)

    def page_at(self, path):
        """The page node at ``path`` through the tree (so its ACL lineage is
        complete), or None when the page or one of its parents is missing."""
        node = self
        for name in path.split("/"):
            try:
                node = node[name]
            except KeyError:
                return None
            if not isinstance(node, WikiPageResource):
                return None
        return node

    def node_in_family(self, path, families):
        """The page node at ``path`` built from its family, loaded once per
        family name into ``families`` (a dict the caller keeps for one list):
        a list of pages costs one query per distinct top-level page."""
        name = path.split("/", 1)[0]
        family = families.get(name)
        if family is None:
            family = families[name] = ArtifactFamily(self.doc._id, name)
        node = self
        for segment in path.split("/"):
            doc = family.by_path.get(node.child_path(segment))
            if doc is None or doc.deleted:
                return None
            node = self.artifact_resource(doc, segment, node, family)
        return node

    def nodes_from(self, raws):
        """Page nodes, with their lineage, for stored documents loaded at once
        (index, lists): no further query.  A page whose parent is not among
        ``raws`` (deleted, say) is left out."""
        family = ArtifactFamily.__new__(ArtifactFamily)
        family.by_path = {raw["path"]: RawArtifact(raw) for raw in raws}
        built = {}

        def node(path):
            if path in built:
                return built[path]
            doc = family.by_path.get(path)
            parent_path, _, name = path.rpartition("/")
            parent = self if not parent_path else node(parent_path)
            result = None
            if doc is not None and parent is not None:
                result = self.artifact_resource(doc, name, parent, family)
            built[path] = result
            return result

        return [n for n in (node(p) for p in sorted(family.by_path)) if n is not None]


@implementer(IMovedPage)
class MovedPage:
    """Where a renamed page's old URL leads: ``target`` is the new path plus
    whatever followed the old one in the URL."""

    __acl__ = ()

    def __init__(self, target, name, parent):
        self.target = target
        self.__name__ = name
        self.__parent__ = parent

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
