"""Keeping the index equal to the database: documents of resolved nodes,
subtrees re-indexed after ACL and project changes, the ``forge.search``
reactor and the full rebuild behind ``forge admin reindex``.

Nodes are resolved by id along their current lineage, as every surface
resolves them (``forge.visibility.NodeResolver``), so an artifact that no
longer resolves (deleted, under a deleted parent, in an uninstalled tool)
leaves the index, and the read terms come from the same ``__acl__`` the
policy reads (a thread held for moderation included).

The reactor takes its events in batches (``forge.bus.batches``): one writer
and one commit for what the worker has fetched (up to ``BATCH_EVENTS``), not
one commit per event.  Each event's work reads the database as it is now, so
their order within a batch matters only as it did between commits (a later
delete or add of a document replaces an earlier one in the same writer).
"""
import contextlib
import logging

from pyramid.request import Request
from pyramid.threadlocal import manager

from ..bus.batches import takes_batches
from ..model import Project, ToolInstance
from ..model.session import collection, find_by_ids
from ..resources import root_factory
from .documents import artifact_records, build_document

log = logging.getLogger(__name__)

BATCH_EVENTS = 200          # events of one commit at most
# how long the worker waits at most for a batch to fill (forge.bus.fetches.BatchWindow:
# only while the queue is busy; an event after a quiet second goes at once).  A commit
# costs about 7 ms of tantivy's CPU (segment files, deletes, merges, fsync) whatever it
# holds, so under load a new post becomes searchable up to this much later, commits fewer
BATCH_SECONDS = 0.25
NON_ARTIFACT = ("Project", "ToolInstance", "Thread", "Neighborhood", "SiteConfig", "User",
                "ProjectRole")


def make_request(registry):
    """A request for resolving nodes outside a web request (reactor, CLI)."""
    request = Request.blank("/")
    request.registry = registry
    request.root = root_factory(request)
    return request


def search_index(registry):
    return registry.forge_search_index()


@contextlib.contextmanager
def current(request):
    """``request`` as the current request while the indexer works: what a
    tool's ``to_document`` looks up for display (``forge.user_lookup``: a
    ticket's reporter and assignee) then comes through the tree cache under
    the generations the indexer read, with the author the core adds (the
    same key), so a batch reads each person once, not twice per artifact."""
    manager.push({"request": request, "registry": request.registry})
    try:
        yield request
    finally:
        manager.pop()


class Indexer:
    """Resolves records to nodes (one request, memoised) and writes a batch."""

    def __init__(self, registry, batch):
        from ..visibility import NodeResolver
        self.registry = registry
        self.batch = batch
        self.request = make_request(registry)
        self.resolver = NodeResolver(self.request)
        self.indexed = 0
        # artifacts written (added or deleted) in this batch: their stored
        # text is not what the index will hold after the commit; and those
        # built from their whole thread as the database holds it now
        self.touched = set()
        self.read_whole = set()
        # artifacts whose document has every added post of the batch
        # (``_append_post``); the batch's added posts by id
        self.appended = set()
        self.posts = {}

    def artifact(self, record, comments=None):
        """Index (or remove) one stored artifact record (``comments``: see
        ``build_document``)."""
        # walked where the record says it is first (no read by id when it is there)
        self.touched.add(record["_id"])
        if comments is None:
            self.read_whole.add(record["_id"])
        node = self.resolver.artifact(record["_id"],
                                      seen_at=(record.get("tool_id"), record.get("path")))
        doc = None
        if node is not None:
            doc = getattr(node, "_doc", None) or getattr(node, "doc", None)
        if doc is None or getattr(doc, "_id", None) != record["_id"] \
                or getattr(doc, "deleted", False):
            self.batch.delete(record["_id"])
            return False
        document = build_document(self.registry, self.request, node, comments)
        if document is None:
            self.batch.delete(record["_id"])
            return False
        self.batch.add(document)
        self.indexed += 1
        return True

    def artifact_and_below(self, tool_id, path, artifact_id=None):
        if artifact_id:
            self.batch.delete(artifact_id)
        family = path.split("/", 1)[0]
        for record in artifact_records({"tool_id": tool_id, "family": family}):
            if record["path"] == path or record["path"].startswith(path + "/"):
                self.artifact(record)

    def tool(self, tool_id):
        self.batch.delete_where("tool_id", tool_id)
        for record in artifact_records({"tool_id": tool_id}):
            self.artifact(record)
        self.tool_source(tool_id)

    def tool_source(self, tool_id):
        """The documents the tool keeps itself (``config.add_search_source``)."""
        sources = getattr(self.registry, "forge_search_sources", {})
        if not sources:
            return
        tool = self.resolver.tool(tool_id)
        documents = sources.get(getattr(getattr(tool, "doc", None), "tool", None))
        if documents is None:
            return
        for document in documents(self.request, tool):
            self.batch.add(document)
            self.indexed += 1

    def project(self, project_id):
        """The project, its subprojects and all their tools."""
        self.batch.delete_where("projects", project_id)
        for tool_id in subtree_tool_ids(project_id):
            self.tool(tool_id)

    def everything(self):
        for tool_id in subtree_tool_ids(None):
            self.tool(tool_id)


def subtree_tool_ids(project_id):
    """Ids of the tools of a project and its subprojects (None: of every project)."""
    if project_id is None:
        return [t["_id"] for t in collection(ToolInstance).find({}, {"_id": 1})]
    project = collection(Project).find_one({"_id": project_id})
    if project is None:
        return []
    prefix = project["shortname"] + "/"
    tool_ids = []
    for other in collection(Project).find({"neighborhood_id": project["neighborhood_id"],
                                           "family": project["family"]}):
        if (other["_id"] == project_id or other["shortname"].startswith(prefix)) \
                and not other.get("deleted"):
            tool_ids.extend(t["_id"] for t in collection(ToolInstance).find(
                {"project_id": other["_id"]}, {"_id": 1}))
    return tool_ids


@takes_batches(max_events=BATCH_EVENTS, max_seconds=BATCH_SECONDS)
def on_event(events, context):
    """The ``forge.search`` reactor (topic ``#``), taking a batch of events:
    one writer and one commit for those that change documents, none when
    none does.  All or nothing: a failing event rolls the writer back (the
    worker then hands the events over one at a time).  The visible posts the
    batch adds are read in one query, and those on one artifact appended to
    its text together (``forge.search.appending``)."""
    works = [work for work in (plan(event) for event in events) if work is not None]
    if not works:
        return
    with search_index(context.registry).writing() as batch:
        indexer = Indexer(context.registry, batch)
        indexer.posts = _added_posts(works)
        with current(indexer.request):
            for work in works:
                work(indexer)


class _Append:
    """The work of a visible post added (``_append_post``): its post is read
    with the batch's others."""

    def __init__(self, tool_id, path, post_id):
        self.tool_id, self.path, self.post_id = tool_id, path, post_id

    def __call__(self, indexer):
        _append_post(indexer, self.tool_id, self.path, self.post_id)


def _added_posts(works):
    """{post id: stored post (``POST_FIELDS``)} of the batch's added posts, one query."""
    from .appending import POST_FIELDS
    return find_by_ids(collection_named("post"),
                       (w.post_id for w in works if isinstance(w, _Append)), POST_FIELDS)


def plan(event):
    """What an event asks of the index: ``fn(indexer)``, or None."""
    topic = event["topic"]
    node_type = event.get("node_type")
    verb = topic.rsplit(".", 1)[-1]
    node_id, tool_id, path = event.get("node_id"), event.get("tool_id"), event.get("path")
    if node_type in ("Thread", "User", "ProjectRole") or topic.startswith("user."):
        return None
    if topic.startswith("scm."):
        # a push changes no artifact; the code tool indexes its commits itself
        # (tools.code.commit_search), and re-indexing the tool would drop them
        return None
    if topic.endswith(".roles.changed"):
        # members and roles change the searcher's principals, not the documents:
        # ACEs name roles by id (a subproject's own roles come with an acl.changed)
        return None
    if node_type in ("SiteConfig", "Neighborhood"):
        return lambda indexer: indexer.everything()
    if node_type == "Project":
        # created: nothing in it yet; updated (title, privacy, tool order), acl.changed
        return None if verb == "created" else lambda indexer: indexer.project(node_id)
    if node_type == "ToolInstance":
        if verb == "installed":
            return None
        if verb == "uninstalled":
            return lambda indexer: indexer.batch.delete_where("tool_id", node_id)
        return lambda indexer: indexer.tool(node_id)
    if not tool_id or not path:
        return None
    if node_type == "Post":
        if topic.endswith(".post.created") and (event.get("detail") or {}).get("status") == "ok":
            return _Append(tool_id, path, node_id)
        return lambda indexer: _reindex_at(indexer, tool_id, path, None)
    if verb == "deleted" or topic.endswith(".acl.changed"):
        return lambda indexer: indexer.artifact_and_below(tool_id, path, node_id)
    created = verb == "created"
    return lambda indexer: _reindex_at(indexer, tool_id, path, node_id, created)


def _reindex_at(indexer, tool_id, path, node_id, created=False):
    """The artifact now at ``path``; the event's artifact leaves the index if it
    is not that one any more (moved away, deleted).  The event's artifact is
    walked to at ``path`` first: when it is there, that walk (which reads its
    family, as indexing it does anyway) is all the reading it takes, and the
    record by path is read only when it is not.  ``created``: the event is
    the artifact's ``created`` (``_comments_to_come``)."""
    if node_id and _is_at(indexer, node_id, tool_id, path):
        comments = _comments_to_come(indexer, node_id) if created else None
        indexer.artifact({"_id": node_id, "tool_id": tool_id, "path": path}, comments)
        return
    record = _artifact_at(tool_id, path)
    if node_id and (record is None or record["_id"] != node_id):
        indexer.batch.delete(node_id)
    if record is not None:
        indexer.artifact(record)


def _comments_to_come(indexer, artifact_id):
    """``comments`` for ``build_document`` on a new artifact's ``created``
    event: none (its thread is not read) while the index holds no document of
    it, committed or written in this batch; else None (read the thread).

    Every comment is a post made after the artifact by ``add_post``, whose
    event this reactor gets in the outbox's order.  A post whose event comes
    after this one is appended by it; one whose event came before (a forum
    thread's opening post, or a comment made in the moment between the
    artifact's save and its event's record) indexed the artifact then, with
    its thread: the document is there, and the thread is read as before.
    What the event cannot say without a read (a boolean "no comments" set
    when it was made would be wrong for exactly those posts), the index
    says.  Should a post's event have found the artifact unindexable then
    (deleted, not searchable) and this one find it indexable, the change
    between has an event of its own after that post's, which reads the
    thread."""
    if artifact_id in indexer.touched:
        return None

    def comments(doc, own_text):
        from .appending import stored_text
        if stored_text(indexer.batch.index, artifact_id) is None:
            return ""
        indexer.read_whole.add(artifact_id)     # read now: the batch's posts are in
        return None
    return comments


def _is_at(indexer, artifact_id, tool_id, path):
    """Whether the live artifact ``artifact_id`` is the one at ``path`` in the
    tool now (resolved as ``Indexer.artifact`` resolves it, memoised)."""
    node = indexer.resolver.artifact(artifact_id, seen_at=(tool_id, path))
    doc = getattr(node, "_doc", None) or getattr(node, "doc", None)
    return doc is not None and getattr(doc, "_id", None) == artifact_id \
        and not getattr(doc, "deleted", False) \
        and getattr(doc, "tool_id", None) == tool_id and getattr(doc, "path", None) == path


def _append_post(indexer, tool_id, path, post_id):
    """A visible post added: its artifact re-indexed from the stored text plus
    the post when it is the thread's last (``forge.search.appending``), with
    the batch's other added posts on that artifact (later events of the
    batch then find it done).  The post (read with the batch's) names its
    artifact, walked at the event's path (no read of the artifact by path,
    nor by id when it is still there)."""
    from .appending import POST_FIELDS, posts_comments
    posts = getattr(indexer, "posts", None)
    if posts is not None and post_id in posts:
        post = posts[post_id]
    else:
        post = collection_named("post").find_one({"_id": post_id}, POST_FIELDS) \
            if post_id else None
    if post is None or not post.get("ref_id"):
        _reindex_at(indexer, tool_id, path, None)       # gone: as any other post event
        return
    artifact_id = post["ref_id"]
    if artifact_id in indexer.read_whole or artifact_id in indexer.appended:
        return          # built from its whole thread, or with its batch's posts: this one is in
    if artifact_id in indexer.touched:
        # written earlier in this batch: the index's stored text is older
        # than that, so the thread is read (once for the batch's posts)
        indexer.artifact({"_id": artifact_id, "tool_id": tool_id, "path": path})
        return
    together = [post] + [other for other in (posts or {}).values()
                         if other.get("ref_id") == artifact_id and other is not post]
    indexed = indexer.artifact({"_id": artifact_id, "tool_id": tool_id, "path": path},
                               posts_comments(indexer.batch.index, artifact_id, together))
    if indexed:
        indexer.appended.add(artifact_id)


def collection_named(name):
    from ..model.session import session
    return session.db[name]


def _artifact_at(tool_id, path):
    from ..model import Artifact
    if not tool_id or not path:
        return None
    return collection(Artifact).find_one(
        {"tool_id": tool_id, "path": path},
        {"_id": 1, "project_id": 1, "tool_id": 1, "path": 1, "type": 1, "deleted": 1})


def reindex(registry, project=None, on_tool=None):
    """Rebuild the index from the database: everything, or one project's subtree
    (``project`` a Project document).  ``on_tool()`` is called after each tool;
    ``len(subtree_tool_ids(...))`` tells how often.  Readers see the old
    documents until the one commit at the end.  Returns the documents indexed."""
    project_id = project._id if project is not None else None
    tool_ids = subtree_tool_ids(project_id)
    index = search_index(registry)
    with index.writing() as batch:
        indexer = Indexer(registry, batch)
        if project_id is None:
            batch.writer.delete_all_documents()
        else:
            batch.delete_where("projects", project_id)
        with current(indexer.request):
            for tool_id in tool_ids:
                indexer.tool(tool_id)
                if on_tool is not None:
                    on_tool()
    return indexer.indexed
