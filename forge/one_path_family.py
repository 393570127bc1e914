"""Resolving one artifact by its path, for tools whose ``family`` is large.

The core's containers find a child through ``artifact_family(path)``, which
loads the whole family (every artifact sharing the path's first segment) so
that a page of a tree resolves in one query.  Where a family may hold
thousands of artifacts (a forum's threads: ``{forum}/{id}``), a resource
returns ``OnePathFamily`` instead: the artifact at exactly that path, by the
unique (tool_id, path) index.
"""
from .resources.tool import RawArtifact, stored_artifacts


class OnePathFamily:
    """The artifact at one path of a tool (the ``family`` protocol of the
    core's containers: ``by_path`` and ``children_of``)."""

    def __init__(self, tool_id, path):
        # kept while nothing is written, like the core's families
        self.by_path = {raw["path"]: RawArtifact(raw) for raw in stored_artifacts(
            {"tool_id": tool_id, "path": path})}

    def children_of(self, path):
        return []

