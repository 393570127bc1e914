"""THE visibility rule: may this reader see this node *now*?

Everything that shows something about a node after the fact (activity pages
and feeds, live events, notification mails and digests, the search indexer)
holds a record naming the node: an activity entry, an outbox message, a
queued digest item, a stored artifact.  ``NodeResolver.resolve(record)``
turns it into the node's resource only when

* the node still exists under the record's **id** (``node_id``, a comment's
  artifact through its post) and is not deleted;
* it is reached through its **current** lineage: the document is loaded by
  id, its current path is traversed from its tool, and the resource reached
  must be that document (a renamed page's old path leads to a ``MovedPage``
  or to another page now, never to the recorded one);
* its tool is still installed (an uninstalled tool's records resolve to
  nothing, never to its project);
* its state allows it: a deleted or held comment resolves to nothing; a node
  in a held state (a thread waiting for a moderator) says so in its own
  ``__acl__`` (``held_acl``), so that every permission check sees it, and
  ``in_held_state`` tells the surfaces that announce changes (mail) to wait.

The path a record carries is what the node was called then; it never
decides the answer.  The resolver walks it first (with the record's tool id)
and keeps what it reaches only when that is the live document stored under
the record's id, in that tool, at that path, which is what the walk of its
current path would reach: a page still where it was costs its family's read
and no read by id (an activity page reads half as much).  Anything else (a
renamed, moved or replaced page, another tool) is resolved by id as above.
A record without an id (older entries) resolves to nothing.

Whether the reader may ``read`` the node (along its lineage, the
forge rule of ``forge.security``) is asked of the resolved node:
``visible_node(request, record)`` does both.
"""
from collections.abc import Mapping

from pyramid.authorization import ALL_PERMISSIONS, ACLHelper, Allow, Deny, Everyone
from pyramid.traversal import find_resource

from .model import Artifact, Neighborhood, Project, ToolInstance
from .model.cache import cached_raw
from .model.session import collection

# node types that are not artifacts (anything else names an artifact by id)
PROJECT, TOOL, POST, THREAD = "Project", "ToolInstance", "Post", "Thread"


def field(record, name):
    """A record is a dict (messages, raw entries) or an object (documents)."""
    if isinstance(record, Mapping):
        return record.get(name)
    return getattr(record, name, None)


class NodeResolver:
    """Records to resources by their current ids, memoised for one request.

    ``known``: project nodes the caller has already (saves resolving them)."""

    def __init__(self, request, known=()):
        self.request = request
        self._projects = {node.doc._id: node for node in known}
        self._tools = {}
        self._artifacts = {}
        self._posts = {}
        self._walked = {}           # (tool id, path) -> the node there, or None

    def resolve(self, record):
        """The node ``record`` names, or None when it is not that node now."""
        node_type, node_id = field(record, "node_type"), field(record, "node_id")
        if node_type == PROJECT:
            return self.project(node_id)
        if node_type == TOOL:
            return self.tool(node_id)
        seen_at = field(record, "tool_id"), field(record, "path")
        if node_type == POST:
            return self.post(node_id, seen_at)
        if node_type == THREAD:
            return self.comment_thread(node_id)
        return self.artifact(node_id, seen_at)

    def project(self, project_id):
        if not project_id:
            return None
        if project_id not in self._projects:
            self._projects[project_id] = self._find_project(project_id)
        return self._projects[project_id]

    def _find_project(self, project_id):
        # the stored documents (shared: only read), not Ming objects: building
        # one cost each resolution about half a millisecond
        project = _first(cached_raw(self.request, Project, {"_id": project_id}))
        if project is None or project.get("deleted", False):
            return None
        neighborhood = _first(cached_raw(self.request, Neighborhood,
                                         {"_id": project.get("neighborhood_id")}))
        if neighborhood is None:
            return None
        node = self._find([neighborhood["name"]] + project["shortname"].split("/"))
        return node if _doc_id(node) == project_id and node.kind == "project" else None

    def tool(self, tool_id):
        """An installed tool, in the project that holds it now."""
        if not tool_id:
            return None
        if tool_id not in self._tools:
            tool = None
            doc = _first(cached_raw(self.request, ToolInstance, {"_id": tool_id}))
            project = self.project(doc.get("project_id")) if doc is not None else None
            if project is not None:
                # the stored id: asking t.doc would build every tool's Ming object
                tool = next((t for t in project.tools() if _doc_id(t) == tool_id), None)
            self._tools[tool_id] = tool
        return self._tools[tool_id]

    def artifact(self, artifact_id, seen_at=(None, None)):
        """The artifact stored under this id, reached along its current path.

        ``seen_at``: the (tool id, path) a record saw it at.  Walked first, it
        saves the read by id when the artifact is still there (the walk reads
        its family anyway): a walk that reaches the live document stored under
        this id, in that tool, at that path, is the walk of its current path."""
        if not artifact_id:
            return None
        if artifact_id not in self._artifacts:
            tool_id, path = seen_at
            node = self._walk(tool_id, path) if tool_id and path else None
            if not _is_stored_at(node, artifact_id, tool_id, path):
                node = self._find_artifact(artifact_id)
            self._artifacts[artifact_id] = node
        return self._artifacts[artifact_id]

    def _find_artifact(self, artifact_id):
        raw = collection(Artifact).find_one({"_id": artifact_id},
                                            {"tool_id": 1, "path": 1, "deleted": 1})
        if raw is None or raw.get("deleted") or not raw.get("path"):
            return None
        node = self._walk(raw.get("tool_id"), raw["path"])
        # a container may answer a name with something else (a moved page)
        return node if _doc_id(node) == artifact_id else None

    def _walk(self, tool_id, path):
        """The node at ``path`` in the installed tool ``tool_id``, or None.
        Each node on the way is kept for the request: records of pages under
        one parent (a wiki's subpages, a forum's threads) read it once."""
        node, walked = self.tool(tool_id), None
        for segment in path.split("/"):
            walked = segment if walked is None else walked + "/" + segment
            key = (tool_id, walked)
            if key not in self._walked:
                try:
                    self._walked[key] = node[segment] if node is not None else None
                except (KeyError, TypeError):
                    self._walked[key] = None
            node = self._walked[key]
            if node is None:
                return None
        return node

    def post(self, post_id, seen_at=(None, None)):
        """A comment: its artifact, when the comment itself is visible.
        ``seen_at``: where a record saw the artifact (a post's path is its
        artifact's)."""
        if not post_id:
            return None
        if post_id not in self._posts:
            from .discussion.model import Post
            raw = collection(Post).find_one({"_id": post_id},
                                            {"ref_id": 1, "status": 1, "deleted": 1})
            visible = raw is not None and not raw.get("deleted") \
                and raw.get("status", "ok") == "ok"
            self._posts[post_id] = self.artifact(raw.get("ref_id"), seen_at) \
                if visible else None
        return self._posts[post_id]

    def comment_thread(self, thread_id):
        """A core comment thread: the artifact it hangs on."""
        from .discussion.model import Thread
        raw = collection(Thread).find_one({"_id": thread_id}, {"ref_id": 1}) \
            if thread_id else None
        return self.artifact(raw.get("ref_id")) if raw is not None else None

    def _find(self, segments):
        try:
            return find_resource(self.request.root, "/" + "/".join(segments) + "/")
        except KeyError:
            return None


def visible_node(request, record, resolver=None):
    """The node ``record`` names if it is that node now and the request's
    reader may read it; else None."""
    node = (resolver or NodeResolver(request)).resolve(record)
    return node if node is not None and request.can("read", node) else None


def in_held_state(node):
    """True when the node or an ancestor waits for a moderator (``held``):
    readable by moderators and its author, but not announced to anyone."""
    while node is not None:
        if getattr(node, "held", False):
            return True
        node = getattr(node, "__parent__", None)
    return False


def principals_allowed(node, permission):
    """Principals the ACLs of ``node``'s lineage grant ``permission``."""
    return ACLHelper().principals_allowed_by_permission(node, permission)


def held_acl(own, readers):
    """The ACL of a node held for moderation: its own denies, then ``read``
    for ``readers`` only (moderators, the author), then the rest of its own
    entries, which still decide the other permissions of those readers."""
    denies = [entry for entry in own if entry[0] == Deny]
    others = [entry for entry in own if entry[0] != Deny]
    allows = [(Allow, principal, "read") for principal in sorted(readers, key=str)
              if principal != Everyone]
    return denies + allows + [(Deny, Everyone, "read")] + others


def hidden_acl(doc, own):
    """The ACL of an artifact: its own, unless it is hidden (its author was
    disabled as spam: ``forge.actions.spam_accounts``); then nobody may do
    anything with it but site admins, whom the policy answers for before any
    ACL.  Every surface asks ``read`` of the node, so it vanishes from all."""
    if getattr(doc, "hidden", ""):
        return [(Deny, Everyone, ALL_PERMISSIONS)]
    return own


def _doc_id(node):
    if node is None:
        return None
    doc = getattr(node, "_doc", None) or getattr(node, "doc", None)
    return getattr(doc, "_id", None)


def _is_stored_at(node, artifact_id, tool_id, path):
    """True when ``node`` is the live artifact ``artifact_id`` as stored now:
    in tool ``tool_id`` at ``path`` (so resolving it by id would walk the same
    path, in the same tool, to the same node)."""
    doc = getattr(node, "_doc", None) if node is not None else None
    return doc is not None and getattr(doc, "_id", None) == artifact_id \
        and getattr(doc, "tool_id", None) == tool_id and getattr(doc, "path", None) == path \
        and not getattr(doc, "deleted", False)


def _first(items):
    return items[0] if items else None
