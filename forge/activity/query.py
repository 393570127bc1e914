"""Reading activity: newest first, only what the viewer may read, paged.

``activity_page(request, {"project_id": ...}, page)`` walks the entries of
one index (project, family, tool, actor or artifact: ``stream_of`` gives a
node's; the pages and the Atom feeds use the same helper) newest first, resolves each
entry's node *now* by its id (``forge.visibility.NodeResolver``, the one
visibility rule) and keeps it only if the viewer may ``read`` it, before
paging (``forge.listing.readable_page``).  An entry whose node does not
resolve (deleted, renamed away from the path it names, in an uninstalled
tool, a comment held or deleted) is not shown: its title may have been
private.
"""
import datetime
import heapq

from ..model import Project
from ..model.cache import cached_find
from ..model.session import collection
from ..security import can
from ..listing import PAGE_SIZE, readable_page
from ..user_lookup import SYSTEM_PERSON, people
from ..visibility import NodeResolver
from .model import ActivityEntry

MAX_SCANNED = 2000      # entries looked at for one page, readable or not


class ActivityItem:
    """An entry with its node; answers ``read`` like the node (its ACL and lineage)."""

    def __init__(self, entry, node, actor):
        self.entry = entry
        self.node = node
        self.actor = actor                  # a forge.user_lookup.Person
        self.actor_name = actor.title
        self.__parent__ = node.__parent__
        self.__acl__ = node.__acl__

    @property
    def when(self):
        return datetime.datetime.fromtimestamp(self.entry["timestamp"], datetime.timezone.utc)

    @property
    def what(self):
        """"created the project", "commented: Thanks…": the verb, then the
        summary unless it says the verb again."""
        verb, summary = self.entry.get("verb") or "", self.entry.get("summary") or ""
        if not summary or summary == verb:
            return verb
        if summary.startswith(verb + " "):
            return summary
        return "%s: %s" % (verb, summary)

    @property
    def anchor(self):
        return "#post-%s" % self.entry["node_id"] if self.entry.get("node_type") == "Post" \
            else ""


def activity_entries(criteria, before=None, first=MAX_SCANNED):
    """Raw entries matching one indexed equality (``project_id``, ``tool_id``,
    ``actor_id`` or ``node_id``), newest first, at most ``MAX_SCANNED``.

    Read in chunks, ``first`` entries and then twice as many each time: the
    embedded server reads (and decodes) every entry a query's limit allows
    before it answers, so one read of ``MAX_SCANNED`` for a page of 25 cost
    ~20 ms at 1,000 entries and ~150 ms at 100,000 (``bench/scale_queries.py``)."""
    query = dict(criteria)
    if before is not None:
        query["timestamp"] = {"$lt": before}
    read, chunk = 0, max(1, min(first, MAX_SCANNED))
    while read < MAX_SCANNED:
        chunk = min(chunk, MAX_SCANNED - read)
        batch = list(collection(ActivityEntry).find(query).sort("timestamp", -1)
                     .skip(read).limit(chunk))
        yield from batch
        read += len(batch)
        if len(batch) < chunk:
            return
        chunk *= 2


def activity_page(request, criteria, page=1, size=PAGE_SIZE, known=(), keep=None):
    """A ``Page`` of ``ActivityItem`` the viewer may read, newest first.
    ``known``: project nodes the page has already (saves resolving them);
    ``keep``: a test on raw entries applied before reading and paging."""
    # the page and one more (is there a next page?), a few more for unreadable ones
    entries = activity_entries(criteria, first=max(1, page) * size + 1 + size // 2)
    if keep is not None:
        entries = (entry for entry in entries if keep(entry))
    return readable_activity(request, entries, page=page, size=size, known=known)


def readable_activity(request, entries, page=1, size=PAGE_SIZE, known=()):
    """A ``Page`` of ``ActivityItem`` from raw ``entries`` (newest first),
    keeping those whose node resolves now and which the viewer may read."""
    resolvers, actors = [], {}

    def to_item(entry):
        if not resolvers:           # a stream with no entries makes none
            resolvers.append(NodeResolver(request, known))
        node = resolvers[0].resolve(entry)
        if node is None:
            return None
        actor_id = entry.get("actor_id")
        if actor_id not in actors:
            actors.update(people([actor_id]) if actor_id else {None: SYSTEM_PERSON})
        return ActivityItem(entry, node, actors.get(actor_id, SYSTEM_PERSON))

    # an entry is readable when its node is: one verdict per distinct node
    return readable_page(request, entries, to_item, page=page, size=size,
                         decided_by=lambda item: item.node)


def newest_in_projects(project_ids, per_project):
    """Raw entries of several projects, newest first: one indexed equality
    per project (``$in`` scans on the embedded server), merged."""
    streams = [collection(ActivityEntry).find({"project_id": project_id})
               .sort("timestamp", -1).limit(per_project) for project_id in project_ids]
    return heapq.merge(*streams, key=lambda entry: entry["timestamp"], reverse=True)


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
