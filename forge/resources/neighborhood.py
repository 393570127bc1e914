"""Neighborhoods (``/p/``, ``/u/``) and the one-query lineage of projects."""
from zope.interface import implementer

from ..interfaces import INeighborhood
from ..model import Project, ToolInstance
from ..model.cache import attach, cached_raw
from .base import Node, StoredDocument
from .missing_project import on_miss
from .project import ProjectResource


class LazyDocs:
    """Stored documents by key, each made a Ming object only when asked for.

    A family may hold many projects and tools, but a page uses the lineage it
    resolves and the tools of one project, so only those are copied and
    validated into Ming objects.  (Under wrk this made no measurable difference
    to the benchmark's pages, whose cost lies elsewhere: see bench/README.md.)
    """

    def __init__(self, cls, raws, key):
        self.cls = cls
        self.raws = {raw[key]: raw for raw in raws}
        self._built = {}

    def get(self, key, default=None):
        if key not in self.raws:
            return default
        if key not in self._built:
            self._built[key] = attach(self.cls, self.raws[key])
        return self._built[key]

    def stored(self, key):
        """The document at ``key`` for a node (``StoredDocument``: built when
        the node's ``doc`` is asked for), or None."""
        if key in self._built:
            return self._built[key]
        raw = self.raws.get(key)
        return StoredDocument(self.cls, raw) if raw is not None else None

    def __contains__(self, key):
        return key in self.raws

    def __iter__(self):
        return iter(self.raws)

    def __len__(self):
        return len(self.raws)

    def keys(self):
        return self.raws.keys()

    def items(self):
        return [(key, self.get(key)) for key in self.raws]

    def values(self):
        return [self.get(key) for key in self.raws]


class Family:
    """Every project and tool of one top-level project, loaded in two queries.

    A URL like ``/p/a/b/c/notes/x`` needs the lineage a, a/b, a/b/c and the
    tools of a/b/c; all of them share the family "a", so resolving a URL of
    any depth costs the same two indexed equality queries.
    """

    def __init__(self, request, neighborhood_id, family):
        self.projects = LazyDocs(Project, cached_raw(
            request, Project,
            {"neighborhood_id": neighborhood_id, "family": family, "deleted": False}),
            "shortname")
        self._tool_raws = {}
        for raw in cached_raw(request, ToolInstance,
                              {"neighborhood_id": neighborhood_id, "family": family}):
            self._tool_raws.setdefault(raw["project_id"], []).append(raw)
        self._tools = {}

    def tools_of(self, project_doc):
        tools = self._tools.get(project_doc._id)
        if tools is None:
            tools = self._tools[project_doc._id] = [
                attach(ToolInstance, raw) for raw in self._sorted_tool_raws(project_doc)]
        return tools

    def stored_tools_of(self, project_doc):
        """The project's tools in order, as ``StoredTool`` (no Ming object
        built) unless ``tools_of`` built them already."""
        from .tool import StoredTool
        if project_doc._id in self._tools:
            return self._tools[project_doc._id]
        return [StoredTool(raw) for raw in self._sorted_tool_raws(project_doc)]

    def tools_built(self, project_doc):
        """Whether ``tools_of`` built the project's tools into Ming objects."""
        return project_doc._id in self._tools

    def tool_mounted(self, project_doc, mount):
        """The project's tool at ``mount``, or None, as ``StoredTool`` (the
        tool resource builds its Ming object when ``doc`` is asked for) unless
        ``tools_of`` built them already."""
        from .tool import StoredTool
        if project_doc._id in self._tools:
            return next((t for t in self._tools[project_doc._id] if t.mount == mount), None)
        raw = next((r for r in self._tool_raws.get(project_doc._id, ())
                    if r.get("mount") == mount), None)
        return StoredTool(raw) if raw is not None else None

    def _sorted_tool_raws(self, project_doc):
        return sorted(self._tool_raws.get(project_doc._id, []),
                      key=lambda raw: (raw.get("position", 0), raw.get("mount", "")))

    def subprojects_of(self, project_doc):
        prefix = project_doc.shortname + "/"
        return [self.projects.get(name) for name in sorted(self.projects)
                if name.startswith(prefix) and "/" not in name[len(prefix):]]


@implementer(INeighborhood)
class NeighborhoodResource(Node):
    kind = "neighborhood"

    @property
    def project(self):
        return None

    def __getitem__(self, name):
        if name.startswith("@@") or "/" in name:
            raise KeyError(name)
        family = Family(self.request, self._doc._id, name)
        doc = family.projects.stored(name)
        if doc is None:
            return on_miss(self, self, name, name)
        return ProjectResource(doc, name, self, family)
