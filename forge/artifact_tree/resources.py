"""A tree of artifacts in traversal: old paths that redirect, and nodes on a stored lineage.

A tool whose artifacts move (``TreeActions.move``) uses ``TreeToolResource``
for its tool and ``TreeArtifactResource`` (``add_artifact_type(resource=)``)
for the type: a name that misses but an artifact was moved away from is a
``MovedArtifact`` (one indexed query, only on a miss), whose views redirect
to where it went (``forge.views.artifact_tree``).

Traversal skips deleted artifacts, so a deleted one, or one a user only names
(a taken name), has no node to ask ``forge.security`` about: ``stored_nodes``
builds one on its ancestors as stored, deleted ones included, so their ACLs
decide who may see it.  ``live_nodes`` builds a list page's nodes from one
query of the whole tool (a private artifact hides its sub-artifacts too).
"""
from zope.interface import Interface, implementer

from ..artifact_types import ITypedArtifact, TypedArtifactResource
from ..interfaces import ITool
from ..model import Artifact
from ..model.session import collection
from ..resources.tool import ArtifactFamily, RawArtifact, ToolResource
from .model import ArtifactRedirect

LINEAGE_FIELDS = {"text": 0}        # ACLs, titles and paths; never the text


class ITreeTool(ITool):
    """A tool whose artifacts form a tree that moves (``TreeToolResource``)."""


class ITreeArtifact(ITypedArtifact):
    """An artifact of a tree (``TreeArtifactResource``)."""


class IMovedArtifact(Interface):
    """A path an artifact was moved away from."""


class RedirectingContainer:
    """A child name that misses but an artifact was moved away from is a
    ``MovedArtifact`` instead of a 404."""

    def __getitem__(self, name):
        try:
            return super().__getitem__(name)
        except KeyError:
            moved = None if name.startswith("@@") else ArtifactRedirect.query.get(
                tool_id=self.tool_node.doc._id, old_path=self.child_path(name))
            if moved is None:
                raise
            return MovedArtifact(moved.new_path, name, self)


@implementer(ITreeArtifact)
class TreeArtifactResource(RedirectingContainer, TypedArtifactResource):
    """The base of a tree type's resource (``add_artifact_type(resource=)``)."""


class IHomeTreeTool(ITreeTool):
    """A tree tool whose address opens its home artifact (``HomeTreeToolResource``)."""


@implementer(ITreeTool)
class TreeToolResource(RedirectingContainer, ToolResource):
    """The tool of a tree type (``add_tool(resource=)``); ``nav_template``:
    the tool's navigation, shown above the core's tree pages."""

    nav_template = None

    def node_at(self, path):
        """The artifact node at ``path`` through the tree (its ACL lineage
        complete), or None when it or one of its parents is missing."""
        node = self
        for name in path.split("/"):
            try:
                node = node[name]
            except KeyError:
                return None
            if isinstance(node, MovedArtifact):
                return None
        return node


@implementer(IHomeTreeTool)
class HomeTreeToolResource(TreeToolResource):
    """A tree tool whose address opens the artifact at ``home_name``: the
    tool's ``options["home"]`` (set on ``@@options``), else ``default_home``;
    when there is none, ``@@create-home`` writes it with ``welcome``."""

    default_home = "Home"
    welcome = ""

    @property
    def home_name(self):
        return (self.doc.options or {}).get("home") or self.default_home


@implementer(IMovedArtifact)
class MovedArtifact:
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
        return MovedArtifact(self.target + "/" + name, name, self)


def stored_artifacts(tool, kind, deleted):
    """The raw artifacts of ``kind`` in ``tool``, deleted or live, without their text."""
    return collection(kind.model).find({"tool_id": tool.doc._id, "type": kind.name,
                                        "deleted": deleted}, LINEAGE_FIELDS)


def node_builder(tool, raws):
    """path -> the node of that artifact built on ``raws``, or None when it or
    an ancestor is not among them."""
    family = ArtifactFamily.__new__(ArtifactFamily)
    family.by_path = {raw["path"]: RawArtifact(raw) for raw in raws}
    built = {}

    def node(path):
        if path not in built:
            doc = family.by_path.get(path)
            parent_path, _, name = path.rpartition("/")
            parent = tool if not parent_path else node(parent_path)
            built[path] = (tool.artifact_resource(doc, name, parent, family)
                           if doc is not None and parent is not None else None)
        return built[path]
    node.paths = sorted(family.by_path)
    return node


def live_nodes(tool, kind):
    """The nodes of every live artifact of ``kind``, sorted by path (one query)."""
    node = node_builder(tool, stored_artifacts(tool, kind, False))
    return [n for n in map(node, node.paths) if n is not None]


def stored_nodes(tool, paths):
    """{path: node} for the stored artifacts at ``paths``, live or deleted, on
    their real lineage; one query for every family involved."""
    families = sorted({path.split("/", 1)[0] for path in paths})
    return dict(zip(paths, map(node_builder(tool, collection(Artifact).find(
        {"tool_id": tool.doc._id, "family": {"$in": families}}, LINEAGE_FIELDS)), paths)))
