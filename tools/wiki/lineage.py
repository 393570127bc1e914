"""Wiki pages as nodes built from documents loaded at once, on their stored lineage.

Traversal skips deleted pages, so a deleted page, or a page the user only
names (a taken name), has no node to ask ``forge.security`` about.
``stored_nodes`` builds one with its ancestors as stored, deleted ones
included, so their ACLs decide who may see it; ``live_nodes`` builds the
index's nodes without a query per page.
"""
from forge.api import ArtifactFamily, RawArtifact, collection

from .model import WikiPage

LINEAGE_FIELDS = {"text": 0}        # ACLs, titles and paths; never the text


def node_builder(tool, raws):
    """path -> the node built on ``raws`` (stored documents), or None when the
    page or one of its ancestors is not among them."""
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


def live_nodes(tool, raws):
    """The nodes of live pages loaded at once (a page whose parent is not among
    them is left out)."""
    node = node_builder(tool, raws)
    return [n for n in map(node, node.paths) if n is not None]


def stored_nodes(tool, paths):
    """{path: node} for the stored pages at ``paths``, live or deleted, on their
    real lineage; one query for every family involved."""
    families = sorted({path.split("/", 1)[0] for path in paths})
    node = node_builder(tool, collection(WikiPage).find(
        {"tool_id": tool.doc._id, "family": {"$in": families}}, LINEAGE_FIELDS))
    return {path: node(path) for path in paths}
