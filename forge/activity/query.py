"""Reading activity: newest first, only what the viewer may read, paged.

``activity_page(request, {"project_id": ...}, page)`` walks the entries of
one index (project, family, tool, actor or artifact: ``stream_of`` gives a
node's; the pages and the Atom feeds use the same helper) newest first, resolves each
entry's node through the tree *now* and keeps it only if the viewer may
``read`` it, before paging (``forge.views.listing.readable_page``).  An entry
whose node no longer resolves (deleted, moved) is not shown: its title may
have been private.

``NodeResolver`` turns an event-like record (``project_id``, ``tool_id``,
``path``, ``node_type``) into the resource it names, with the projects,
tools and artifacts it met memoised for the request.
"""
import datetime

from pyramid.traversal import find_resource

from ..model import Neighborhood, Project, User
from ..model.cache import cached_find
from ..model.session import collection
from ..security import can
from ..views.listing import PAGE_SIZE, readable_page
from .model import ActivityEntry

MAX_SCANNED = 2000      # entries looked at for one page, readable or not


class NodeResolver:
    """Resolve event-like records to resources, memoised for one request."""

    def __init__(self, request, known=()):
        self.request = request
        self._projects = {node.doc._id: node for node in known}
        self._nodes = {}

    def project(self, project_id):
        if project_id not in self._projects:
            node = None
            project = _first(cached_find(self.request, Project, {"_id": project_id})) \
                if project_id else None
            if project is not None:
                neighborhood = _first(cached_find(self.request, Neighborhood,
                                                  {"_id": project.neighborhood_id}))
                if neighborhood is not None:
                    node = self._find([neighborhood.name] + project.shortname.split("/"))
            self._projects[project_id] = node
        return self._projects[project_id]

    def resolve(self, record):
        """The node ``record`` names, or None when it does not resolve now."""
        get = record.get if isinstance(record, dict) else lambda k: getattr(record, k, None)
        node_type, tool_id = get("node_type"), get("tool_id")
        kind = {"Project": "project", "ToolInstance": "tool"}.get(node_type, "artifact")
        key = (kind, get("project_id"), tool_id, get("path") if kind == "artifact" else None)
        if key not in self._nodes:
            self._nodes[key] = self._resolve(*key)
        return self._nodes[key]

    def _resolve(self, kind, project_id, tool_id, path):
        project = self.project(project_id)
        if project is None or not tool_id:
            return project
        tool = next((t for t in project.tools() if t.doc._id == tool_id), None)
        if tool is None:
            # an uninstalled tool's own events stay visible to the project's readers
            return project if kind == "tool" else None
        if not path:
            return tool
        node = tool
        try:
            for segment in path.split("/"):
                node = node[segment]
        except KeyError:
            return None
        return node

    def _find(self, segments):
        try:
            return find_resource(self.request.root, "/" + "/".join(segments) + "/")
        except KeyError:
            return None


class ActivityItem:
    """An entry with its node; answers ``read`` like the node (its ACL and lineage)."""

    def __init__(self, entry, node, actor_name):
        self.entry = entry
        self.node = node
        self.actor_name = actor_name
        self.__parent__ = node.__parent__
        self.__acl__ = node.__acl__

    @property
    def when(self):
        return datetime.datetime.fromtimestamp(self.entry["timestamp"], datetime.timezone.utc)

    @property
    def anchor(self):
        return "#post-%s" % self.entry["node_id"] if self.entry.get("node_type") == "Post" \
            else ""


def activity_entries(criteria, before=None):
    """Raw entries matching one indexed equality (``project_id``, ``tool_id``,
    ``actor_id`` or ``node_id``), newest first, at most ``MAX_SCANNED``."""
    query = dict(criteria)
    if before is not None:
        query["timestamp"] = {"$lt": before}
    return collection(ActivityEntry).find(query).sort("timestamp", -1).limit(MAX_SCANNED)


def _first(items):
    return items[0] if items else None


def activity_page(request, criteria, page=1, size=PAGE_SIZE, known=(), keep=None):
    """A ``Page`` of ``ActivityItem`` the viewer may read, newest first.
    ``known``: project nodes the page has already (saves resolving them);
    ``keep``: a test on raw entries applied before reading and paging."""
    resolver = NodeResolver(request, known)
    names = {}

    def to_item(entry):
        node = resolver.resolve(entry)
        if node is None:
            return None
        actor_id = entry.get("actor_id")
        if actor_id not in names:
            user = User.query.get(_id=actor_id) if actor_id else None
            names[actor_id] = user.username if user is not None else "system"
        return ActivityItem(entry, node, names[actor_id])

    entries = activity_entries(criteria)
    if keep is not None:
        entries = (entry for entry in entries if keep(entry))
    return readable_page(request, entries, to_item, page=page, size=size)


def stream_of(request, node):
    """``(criteria, keep)`` of a node's stream: a project with its subprojects,
    a tool, or an artifact with the comments on it."""
    kind = getattr(node, "kind", None)
    if kind == "project":
        doc = node.doc
        prefix = doc.shortname + "/"
        ids = {p._id for p in cached_find(request, Project, {
                   "neighborhood_id": doc.neighborhood_id, "family": doc.family})
               if not p.deleted and (p._id == doc._id or p.shortname.startswith(prefix))}
        if ids == {doc._id}:
            return {"project_id": doc._id}, None
        # one index for the whole family, then only this subtree's projects
        return ({"family_key": "%s/%s" % (doc.neighborhood_id, doc.family)},
                lambda entry: entry.get("project_id") in ids)
    if kind == "tool":
        return {"tool_id": node.doc._id}, None
    return {"artifact_id": node.doc._id}, None


class AsReader:
    """The request, answering ``can`` for other principals (a feed token's
    user): lists reuse their request-based helpers unchanged."""

    def __init__(self, request, principals):
        self._request = request
        self.principals = principals

    def __getattr__(self, name):
        return getattr(self._request, name)

    def can(self, permission, node):
        return can(node, self.principals, permission)
