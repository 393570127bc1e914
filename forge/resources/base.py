"""What every node of the tree shares: a wrapped document and a stored ACL."""
from zope.interface import implementer

from ..interfaces import INode
from ..model.acl import is_private, to_pyramid


@implementer(INode)
class Node:
    """A resource wrapping one Ming document (``doc``).

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

    def __acl__(self):
        return to_pyramid(self.doc.acl)

    @property
    def title(self):
        return self.doc.title

    @property
    def private(self):
        return is_private(self.doc.acl)

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


def lineage_list(node):
    """Root first."""
    nodes = []
    while node is not None:
        nodes.append(node)
        node = node.__parent__
    nodes.reverse()
    return nodes
