"""Marker interfaces for the resource tree; views register against these."""
from zope.interface import Interface


class INode(Interface):
    """Any node of the forge tree: has a stored ACL and a permission page."""


class ISiteRoot(INode):
    """The root of the tree (``/``)."""


class INeighborhood(INode):
    """A container of top-level projects (``/p/``, ``/u/``)."""


class IProject(INode):
    """A project or subproject."""


class ITool(INode):
    """A tool instance mounted in a project."""


class IArtifact(INode):
    """Something a tool stores: a page, a ticket, a post."""


class IVersioned(IArtifact):
    """An artifact with snapshots: history, diff and revert views apply."""
