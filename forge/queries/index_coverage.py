"""Whether a query is served by a declared index: the check behind "cost flat as
data grows" (``tests/test_hot_path_indexes.py``, ``bench/scale.py --queries``).

A page's reads are captured as ``Query`` (collection, command, filter, sort):
on ``mim://`` by wrapping its collection methods (``MimQueries``), over the
wire by pymongo command monitoring (``WireQueries``).  ``uncovered_reason``
answers None for a query some declared index serves (``_id``; an index whose
first field the filter fixes by equality or a range; or, for a sorted read
with no such field, an index leading with the sort field), else why not: no
index, a count (``count_documents`` and ``count`` walk every match on the
embedded server: keep a counter), ``$or``/``$nor``/``$and`` (nx-27017 scans
for them), ``$in`` with more than one value on a field that is not ``_id``
(nx-27017 scans), or a ``$regex`` that is the only condition.  What the
embedded server needs beyond the leading field (an index *ending* with each
equality field) is added by ``forge.model.equality_indexes`` for every
declared index, so declaring the index is what a query needs.
"""
import contextlib
import threading
from dataclasses import dataclass, field

from pymongo import monitoring

from ..model.equality_indexes import declared_indexes as _declared

RANGE = {"$gt", "$gte", "$lt", "$lte"}
COMPOUND = ("$or", "$nor", "$and")
COUNTS = {"count", "countDocuments"}
# what the read path sends besides queries; none reads documents
NOT_QUERIES = {"isMaster", "ismaster", "hello", "ping", "buildInfo", "buildinfo",
               "endSessions", "listIndexes", "getMore", "killCursors", "explain"}


@dataclass
class Query:
    collection: str
    command: str = "find"
    filter: dict = field(default_factory=dict)
    sort: tuple = ()          # field names, in order

    def describe(self):
        sort = " sort %s" % ",".join(self.sort) if self.sort else ""
        return "%s %s %s%s" % (self.command, self.collection, _shape(self.filter), sort)


def _shape(filter_):
    """The filter with values left out: ``{tool_id, deleted, closed:$in}``."""
    parts = []
    for name, value in (filter_ or {}).items():
        if isinstance(value, dict) and value and all(str(k).startswith("$") for k in value):
            parts.append("%s:%s" % (name, "/".join(sorted(value))))
        else:
            parts.append(name)
    return "{%s}" % ", ".join(parts)


def declared_indexes(collection):
    """The key lists declared for ``collection`` by every mapped class using it."""
    keys, _arrays = _declared().get(collection, ([], set()))
    return [tuple(k) for k in keys]


def uncovered_reason(query, indexes):
    """None when a declared index serves ``query``, else a sentence saying why not."""
    if query.command in COUNTS:
        return "a count (walks every match on the embedded server): keep a counter"
    filter_ = query.filter or {}
    for name in COMPOUND:
        if name in filter_:
            return "%s (the embedded server scans for it)" % name
    fixed = set()
    for name, value in filter_.items():
        if name == "_id" and not _is_many_in(value):
            return None
        if isinstance(value, dict) and any(str(k).startswith("$") for k in value):
            if _is_many_in(value):
                return "$in on %r (the embedded server scans for it)" % name
            if "$eq" in value or RANGE & set(value) or \
                    ("$in" in value and len(value["$in"]) == 1):
                fixed.add(name)
            continue
        fixed.add(name)
    for keys in indexes:
        if keys and keys[0] in fixed:
            return None
    if not fixed and query.sort:
        for keys in indexes:
            if keys and keys[0] == query.sort[0]:
                return None
    if not filter_ and not query.sort:
        return "reads the whole collection"
    return "no declared index of %r starts with a field fixed by %s" % (
        query.collection, _shape(filter_))


def _is_many_in(value):
    return isinstance(value, dict) and "$in" in value and len(value["$in"]) > 1


def _sort_fields(sort):
    if not sort:
        return ()
    if isinstance(sort, dict):
        return tuple(sort)
    if isinstance(sort, str):
        return (sort,)
    return tuple(item[0] if isinstance(item, (list, tuple)) else item for item in sort)


class WireQueries(monitoring.CommandListener):
    """The reads sent over a real socket while ``capture()`` is open."""

    _registered = None

    def __init__(self):
        self._lock = threading.Lock()
        self._active = None

    @classmethod
    def registered(cls):
        """The one listener, registered before any client exists (pymongo
        gives listeners only to clients created after they are)."""
        if cls._registered is None:
            cls._registered = cls()
            monitoring.register(cls._registered)
        return cls._registered

    @contextlib.contextmanager
    def capture(self):
        queries = []
        self._active = queries
        try:
            yield queries
        finally:
            self._active = None

    def started(self, event):
        active = self._active
        if active is None or event.command_name in NOT_QUERIES:
            return
        command = event.command
        name = event.command_name
        if name == "find":
            query = Query(command["find"], "find", dict(command.get("filter") or {}),
                          _sort_fields(command.get("sort")))
        elif name in ("count", "countDocuments"):
            query = Query(command.get(name), "count", dict(command.get("query") or {}))
        elif name == "aggregate":
            pipeline = command.get("pipeline") or []
            match = next((stage["$match"] for stage in pipeline if "$match" in stage), {})
            counts = any("$group" in stage or "$count" in stage for stage in pipeline)
            query = Query(command["aggregate"], "count" if counts else "aggregate", dict(match))
        elif name in ("findAndModify", "update", "delete", "insert"):
            return              # writes: not the read path
        else:
            query = Query(str(command.get(name)), name, {})
        with self._lock:
            active.append(query)

    def succeeded(self, event):
        pass

    def failed(self, event):
        pass


@contextlib.contextmanager
def mim_queries():
    """The reads made on ``mim://`` inside the block, as ``Query`` (a find's
    sort is recorded when its cursor is sorted)."""
    from ming import mim
    queries = []
    lock = threading.Lock()
    original_find, original_count = mim.Collection.find, mim.Collection.count_documents
    original_sort = mim.Cursor.sort

    def find(self, filter=None, *args, **kw):
        query = Query(self.name, "find", dict(filter or {}), _sort_fields(kw.get("sort")))
        with lock:
            queries.append(query)
        cursor = original_find(self, filter, *args, **kw)
        cursor._forge_query = query
        return cursor

    def sort(self, key_or_list, direction=1):
        query = getattr(self, "_forge_query", None)
        if query is not None and not query.sort:
            query.sort = _sort_fields(key_or_list)
        return original_sort(self, key_or_list, direction)

    def count_documents(self, filter=None, *args, **kw):
        with lock:
            queries.append(Query(self.name, "count", dict(filter or {})))
        return original_find(self, filter, *args, **kw)._count()

    mim.Collection.find = find
    mim.Collection.count_documents = count_documents
    mim.Cursor.sort = sort
    try:
        yield queries
    finally:
        mim.Collection.find = original_find
        mim.Collection.count_documents = original_count
        mim.Cursor.sort = original_sort
