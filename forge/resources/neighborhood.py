"""Neighborhoods (``/p/``, ``/u/``) and the one-query lineage of projects."""
from zope.interface import implementer

from ..interfaces import INeighborhood
from ..model import Project, ToolInstance
from ..model.cache import cached_find
from .base import Node
from .project import ProjectResource


class Family:
    """Every project and tool of one top-level project, loaded in two queries.

    A URL like ``/p/a/b/c/notes/x`` needs the lineage a, a/b, a/b/c and the
    tools of a/b/c; all of them share the family "a", so resolving a URL of
    any depth costs the same two indexed equality queries.
    """

    def __init__(self, request, neighborhood_id, family):
        self.projects = {p.shortname: p for p in cached_find(
            request, Project,
            {"neighborhood_id": neighborhood_id, "family": family, "deleted": False})}
        self.tools = {}
        for tool in cached_find(request, ToolInstance,
                                {"neighborhood_id": neighborhood_id, "family": family}):
            self.tools.setdefault(tool.project_id, []).append(tool)
        for tools in self.tools.values():
            tools.sort(key=lambda t: (t.position, t.mount))

    def tools_of(self, project_doc):
        return self.tools.get(project_doc._id, [])

    def subprojects_of(self, project_doc):
        prefix = project_doc.shortname + "/"
        return sorted((p for name, p in self.projects.items()
                       if name.startswith(prefix) and "/" not in name[len(prefix):]),
                      key=lambda p: p.shortname)


@implementer(INeighborhood)
class NeighborhoodResource(Node):
    kind = "neighborhood"

    @property
    def project(self):
        return None

    def __getitem__(self, name):
        if name.startswith("@@") or "/" in name:
            raise KeyError(name)
        family = Family(self.request, self.doc._id, name)
        doc = family.projects.get(name)
        if doc is None:
            raise KeyError(name)
        return ProjectResource(doc, name, self, family)
