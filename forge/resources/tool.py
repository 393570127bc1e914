"""Tool instances and the default artifact sub-tree a tool gets for free."""
from ming.odm import Mapper
from pyramid.threadlocal import get_current_request
from zope.interface import implementer

from ..fields import field_specs
from ..interfaces import IArtifact, ITool, IVersioned

from ..model import Artifact, ToolInstance, VersionedArtifact
from ..model.acl import is_private, to_pyramid
from ..model.cache import attach, copy_document, find_raw
from ..visibility import hidden_acl
from .base import Node, StoredDocument


def artifact_type(doc):
    """The mapped class of an artifact, stored (``RawArtifact``) or built."""
    return doc.mapped_class if isinstance(doc, RawArtifact) else type(doc)


class RawArtifact:
    """An artifact as stored, readable without building its Ming object.

    Resolving ``/notes/a/b/c/d`` needs the ACLs and titles of a, b and c but
    the full document only of d; the resource builds the Ming object
    (``materialize``) the first time something asks for ``.doc``.
    """

    __slots__ = ("raw",)

    def __init__(self, raw):
        self.raw = raw

    def __getattr__(self, name):
        try:
            return self.raw[name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def name(self):
        return self.raw["path"].rsplit("/", 1)[-1]

    @property
    def mapped_class(self):
        registry = Artifact.query.mapper.collection.m.polymorphic_registry
        collection = registry.get(self.raw.get("type"), Artifact.query.mapper.collection)
        return Mapper.by_collection(collection).mapped_class

    def materialize(self):
        return attach(self.mapped_class, self.raw)


class StoredTool(StoredDocument):
    """A tool document as stored, for the project's list of its tools.

    Links in Markdown and the project's tool list name every tool of the
    project but read only its mount, label and ACL; building each into a Ming
    object cost a signed-in page a few tenths of a millisecond.  Attributes
    come from the stored document, or from the tool's Ming object when this
    request already has one (it may hold a change not yet saved); the
    resource builds it (``materialize``) the first time something asks for
    ``.doc``.
    """

    __slots__ = ()

    def __init__(self, raw):
        super().__init__(ToolInstance, raw)


def stored_artifacts(query):
    """``find_raw(Artifact, query)``, kept while the generations are those the
    current GET read (``forge.security.kept_for_reading``): a page resolves
    its artifact without a query until something is written.  Each call gets
    its own copies (callers may change what they are given)."""
    request = get_current_request()
    if request is None or getattr(request, "registry", None) is None:
        return find_raw(Artifact, query)
    from ..security import kept_for_reading

    def load():
        raws = find_raw(Artifact, query)
        return tuple(raws) if len(raws) <= KEPT_FAMILY_SIZE else None
    kept = kept_for_reading(request, ("stored-artifacts", repr(sorted(query.items()))), load)
    if kept is None:
        return find_raw(Artifact, query)
    return [copy_document(raw) for raw in kept]


# a larger family (a wiki tree under one top page) is read every time: the
# generation store has no byte budget
KEPT_FAMILY_SIZE = 50


class ArtifactFamily:
    """All artifacts of one tool whose path starts with the same segment.

    One indexed equality query loads the lineage of a nested artifact
    ("Guide", "Guide/Install", "Guide/Install/Linux") whatever its depth.
    """

    def __init__(self, tool_id, family):
        self.by_path = {raw["path"]: RawArtifact(raw) for raw in stored_artifacts(
            {"tool_id": tool_id, "family": family})}

    def children_of(self, path):
        prefix = path + "/"
        return sorted((a for p, a in self.by_path.items()
                       if p.startswith(prefix) and "/" not in p[len(prefix):]
                       and not a.deleted), key=lambda a: a.path)


class ArtifactContainer:
    """Children looked up through an ``ArtifactFamily`` (tools and artifacts)."""

    def artifact_family(self, path):
        """The ``ArtifactFamily`` that holds the artifact at ``path`` (a tool
        overrides it when its artifacts live under another lineage)."""
        raise NotImplementedError

    def child_path(self, name):
        """The artifact path of the child segment ``name``."""
        raise NotImplementedError

    def __getitem__(self, name):
        if name.startswith("@@"):
            raise KeyError(name)
        path = self.child_path(name)
        family = self.artifact_family(path)
        doc = family.by_path.get(path)
        if doc is None or doc.deleted:
            raise KeyError(name)
        return self.tool_node.artifact_resource(doc, name, self, family)


@implementer(ITool)
class ToolResource(ArtifactContainer, Node):
    """A mounted tool.  Tools subclass it to change their sub-tree or pages."""

    kind = "tool"
    #: resource class for this tool's artifacts
    artifact_class = None

    def __init__(self, doc, name, parent, tool_type):
        super().__init__(doc, name, parent)
        self.tool_type = tool_type

    def __acl__(self):
        return to_pyramid(self._doc.acl)

    @property
    def title(self):
        return self._doc.label

    @property
    def private(self):
        return is_private(self._doc.acl)

    @property
    def tool_node(self):
        return self

    def permission_names(self):
        return self.tool_type.permissions

    def child_path(self, name):
        return name

    def artifact_family(self, path):
        return ArtifactFamily(self._doc._id, path.split("/", 1)[0])

    def artifact_resource(self, doc, name, parent, family):
        # a type declared with config.add_artifact_type brings its own resource
        kind = getattr(self.request.registry, "forge_artifact_types", {}).get(doc.type)
        if kind is not None:
            return kind.resource(doc, name, parent, family)
        cls = self.artifact_class or (
            VersionedArtifactResource if issubclass(artifact_type(doc), VersionedArtifact)
            else ArtifactResource)
        return cls(doc, name, parent, family)

    def custom_fields(self):
        return field_specs(self._doc.custom_fields)


@implementer(IArtifact)
class ArtifactResource(ArtifactContainer, Node):
    kind = "artifact"

    def __init__(self, doc, name, parent, family):
        self._doc = doc
        self.__name__ = name
        self.__parent__ = parent
        self.family = family

    @property
    def doc(self):
        """The Ming document, built from the stored one on first use."""
        if isinstance(self._doc, RawArtifact):
            self._doc = self._doc.materialize()
        return self._doc

    @doc.setter
    def doc(self, value):
        self._doc = value

    def __acl__(self):
        return hidden_acl(self._doc, to_pyramid(self._doc.acl))

    @property
    def title(self):
        return self._doc.title

    @property
    def private(self):
        return is_private(self._doc.acl)

    @property
    def tool_node(self):
        node = self.__parent__
        while not isinstance(node, ToolResource):
            node = node.__parent__
        return node

    def permission_names(self):
        return self.tool_node.permission_names()

    def child_path(self, name):
        return self._doc.path + "/" + name

    def artifact_family(self, path):
        return self.family

    def children(self):
        tool = self.tool_node
        return [tool.artifact_resource(d, d.name, self, self.family)
                for d in self.family.children_of(self._doc.path)]


@implementer(IVersioned)
class VersionedArtifactResource(ArtifactResource):
    pass
