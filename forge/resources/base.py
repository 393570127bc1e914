"""What every node of the tree shares: a wrapped document and a stored ACL."""
from zope.interface import implementer

from ..interfaces import INode
from ..model.acl import is_private, to_pyramid
from ..model.cache import attach, current_odm


class StoredDocument:
    """A tree document as stored (from the tree cache), read without building
    its Ming object.

    Traversal reads a project's or neighborhood's id, path, title and ACL, and
    a page rarely more; building each into a Ming object (a copy and a schema
    validation) cost every signed-in page a few tenths of a millisecond.
    Attributes come from the document's Ming object when this request built
    one (it may hold a change not yet saved), else from the stored document,
    else (a default the schema fills in, a property) from the Ming object,
    built then.  The stored values are shared by every request: read them,
    never change them (``Node.doc`` gives the Ming object to change).
    """

    __slots__ = ("cls", "raw")

    def __init__(self, cls, raw):
        self.cls = cls
        self.raw = raw

    def __getattr__(self, name):
        built = current_odm().imap.get(self.cls, self.raw["_id"])
        if built is not None:
            return getattr(built, name)
        if name in self.raw:
            return self.raw[name]
        return getattr(self.materialize(), name)

    def materialize(self):
        return attach(self.cls, self.raw)


@implementer(INode)
class Node:
    """A resource wrapping one Ming document (``doc``), built on first use
    when the node was made from a ``StoredDocument``.

    Documents never know their parent; the resource does.  ``kind`` names the
    node type in audit entries and templates.
    """

    kind = "node"
    __name__ = ""
    __parent__ = None

    def __init__(self, doc, name, parent):
        self.doc = doc
        self.__name__ = name
        self.__parent__ = parent

    @property
    def doc(self):
        """The Ming document (built now from a ``StoredDocument``)."""
        if isinstance(self._doc, StoredDocument):
            self._doc = self._doc.materialize()
        return self._doc

    @doc.setter
    def doc(self, value):
        self._doc = value

    def __acl__(self):
        return to_pyramid(self._doc.acl)

    @property
    def title(self):
        return self._doc.title

    @property
    def private(self):
        return is_private(self._doc.acl)

    @property
    def request(self):
        return self.__parent__.request

    @property
    def project(self):
        """The nearest project at or above this node, or None."""
        return self.__parent__.project if self.__parent__ is not None else None

    def permission_names(self):
        """Permission names that mean something on this node (for ACL forms)."""
        return self.__parent__.permission_names()


def stored_id(node):
    """The id of the document ``node`` wraps, without building its Ming
    object (a ``StoredDocument``, ``StoredTool`` or ``RawArtifact`` answers
    from the stored document)."""
    return node._doc._id


def lineage_list(node):
    """Root first."""
    nodes = []
    while node is not None:
        nodes.append(node)
        node = node.__parent__
    nodes.reverse()
    return nodes
