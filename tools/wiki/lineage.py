"""Wiki pages as nodes on their real lineage, deleted ones included.

Traversal (``WikiTool[...]``) skips deleted pages, so a deleted page, or a
live page the user only names (a name already taken), has no node to ask
``forge.security`` about.  ``stored_nodes`` builds one with the ancestors it
has as stored, so that their ACLs (a private or admin-only parent, deleted or
not) decide who may see it, as ``forge.security.permits`` does for pages
reached by URL: a page under a page the user may not read stays unreadable
after either is deleted.
"""
from forge.api import ArtifactFamily, RawArtifact, collection

from .model import WikiPage

LINEAGE_FIELDS = {"text": 0}        # ACLs, titles and paths; never the text


def stored_nodes(tool, paths):
    """{path: node} for the stored pages at ``paths``, live or deleted, each
    built on its real lineage: its ancestors as stored, deleted ones included.
    One query for every family involved.  A path with no page, or whose
    ancestor is missing altogether, maps to None (nobody is told about it)."""
    families = sorted({path.split("/", 1)[0] for path in paths})
    family = ArtifactFamily.__new__(ArtifactFamily)
    family.by_path = {raw["path"]: RawArtifact(raw) for raw in collection(WikiPage).find(
        {"tool_id": tool.doc._id, "family": {"$in": families}}, LINEAGE_FIELDS)}
    built = {}

    def node(path):
        if path not in built:
            doc = family.by_path.get(path)
            parent_path, _, name = path.rpartition("/")
            parent = tool if not parent_path else node(parent_path)
            built[path] = (tool.artifact_resource(doc, name, parent, family)
                           if doc is not None and parent is not None else None)
        return built[path]

    return {path: node(path) for path in paths}
