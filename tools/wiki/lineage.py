"""Wiki pages as nodes built from documents loaded at once, on their stored lineage.

Traversal skips deleted pages, so a deleted page, or a page the user only
names (a taken name), has no node to ask ``forge.security`` about:
``stored_nodes`` builds one on its ancestors as stored, deleted ones included,
so their ACLs decide who may see it.  ``live_nodes`` builds the lists' nodes
from one query of the whole wiki (a private page hides its sub-pages too).
"""
from forge.api import ArtifactFamily, RawArtifact, collection

from .model import WikiPage

LINEAGE_FIELDS = {"text": 0}        # ACLs, titles and paths; never the text


def pages(tool, deleted):
    return collection(WikiPage).find({"tool_id": tool.doc._id, "deleted": deleted},
                                     LINEAGE_FIELDS)


def node_builder(tool, raws):
    """path -> the node of that page built on ``raws``, or None when it or an
    ancestor is not among them."""
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


def live_nodes(tool):
    """The nodes of every live page, sorted by path (one query)."""
    node = node_builder(tool, pages(tool, False))
    return [n for n in map(node, node.paths) if n is not None]


def stored_nodes(tool, paths):
    """{path: node} for the stored pages at ``paths``, live or deleted, on their
    real lineage; one query for every family involved."""
    families = sorted({path.split("/", 1)[0] for path in paths})
    return dict(zip(paths, map(node_builder(tool, collection(WikiPage).find(
        {"tool_id": tool.doc._id, "family": {"$in": families}}, LINEAGE_FIELDS)), paths)))
