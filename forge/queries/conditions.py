"""Mongo filters without ``$and``/``$or``, and running them page by page.

``Conditions`` collects the constraints of a list query per document key
and renders one filter that Ming's in-memory ``mim://``, nx-27017 and
MongoDB all evaluate alike.  A ``CompiledQuery`` is a chain of indexed
queries (``Segment``s, each with its Mongo sort) plus ``residuals``: checks
in Python on each candidate for what ``mim://`` evaluates differently from
MongoDB (``$nin`` on arrays, missing sub-fields).  ``iter_matches`` runs one
lazily, in chunks; ``serving_index`` names the index a query relies on.
Built for the tracker's ticket lists; any tool's list of artifacts can use it::

    conditions = Conditions().eq("tool_id", tool_id).eq("deleted", False)
    choose(conditions, "priority", ["high", "critical"], negated=False)
    query = CompiledQuery(conditions, [Segment(conditions, [("number", -1)])])
    for raw in iter_matches(collection(Ticket), query, first_batch=26): ...
"""
from dataclasses import dataclass, field

ARRAY_KEYS = {"labels"}
MONGO_OP = {">": "$gt", ">=": "$gte", "<": "$lt", "<=": "$lte"}


class Conditions:
    """Constraints per document key, rendered as one Mongo filter without
    ``$and``/``$or`` (mim has neither; nx-27017 scans for ``$or``).  A key
    constrained to one value renders as a plain equality, which indexes serve."""

    def __init__(self):
        self.by_key = {}
        self.impossible = False

    def copy(self):
        other = Conditions()
        other.by_key = {k: {op: (list(v) if isinstance(v, list) else
                                 dict(v) if isinstance(v, dict) else v)
                             for op, v in c.items()} for k, c in self.by_key.items()}
        other.impossible = self.impossible
        return other

    def _key(self, key):
        return self.by_key.setdefault(key, {})

    def eq(self, key, value):
        c = self._key(key)
        if "eq" in c and c["eq"] != value:
            self.impossible = True
        c["eq"] = value
        return self

    def one_of(self, key, values):
        c = self._key(key)
        values = list(dict.fromkeys(values))
        c["in"] = values if "in" not in c else [v for v in c["in"] if v in values]
        if not c["in"]:
            self.impossible = True
        return self

    def none_of(self, key, values):
        c = self._key(key)
        c["nin"] = list(dict.fromkeys(c.get("nin", []) + list(values)))
        return self

    def has_all(self, key, values):
        c = self._key(key)
        c["all"] = list(dict.fromkeys(c.get("all", []) + list(values)))
        return self

    def compare(self, key, op, value):
        cmp = self._key(key).setdefault("cmp", {})
        if op in cmp:
            stricter = max if op in (">", ">=") else min
            value = stricter(cmp[op], value)
        cmp[op] = value
        return self

    def regex(self, key, pattern):
        self._key(key)["regex"] = pattern
        return self

    def present(self, key):
        self._key(key)["present"] = True
        return self

    def constrains(self, key):
        return key in self.by_key

    def to_filter(self):
        """The Mongo filter, or None when nothing can match."""
        if self.impossible:
            return None
        result = {}
        for key, c in self.by_key.items():
            if "eq" in c:
                value = c["eq"]
                if not _static_match(value, c):
                    return None
                result[key] = value
                continue
            ops = {}
            if "in" in c:
                if len(c["in"]) == 1 and key not in ARRAY_KEYS and len(c) == 1:
                    result[key] = c["in"][0]
                    continue
                ops["$in"] = c["in"]
            if c.get("nin"):
                ops["$nin"] = c["nin"]
            if c.get("all"):
                if len(c["all"]) == 1 and "$in" not in ops:
                    ops["$in"] = c["all"]
                else:
                    ops["$all"] = c["all"]
            for op, value in (c.get("cmp") or {}).items():
                ops[MONGO_OP[op]] = value
            if "regex" in c:
                ops["$regex"] = c["regex"]
            if c.get("present"):
                ops["$exists"] = True
                ops["$ne"] = None
            if ops:
                result[key] = ops
        return result


def _static_match(value, c):
    """Whether a known single value also meets the key's other constraints."""
    if "in" in c and value not in c["in"]:
        return False
    if value in c.get("nin", ()):
        return False
    if c.get("present") and value is None:
        return False
    for op, bound in (c.get("cmp") or {}).items():
        try:
            if not {">": value > bound, ">=": value >= bound, "<": value < bound,
                    "<=": value <= bound}[op]:
                return False
        except TypeError:
            return False
    return True


def choose(conditions, key, values, negated=False):
    """``key`` is one of ``values`` (or none of them): a plain equality for one."""
    if negated:
        conditions.none_of(key, values)
    elif len(values) == 1:
        conditions.eq(key, values[0])
    else:
        conditions.one_of(key, values)
    return conditions


@dataclass
class Segment:
    """One indexed query of a chain: the conditions and the Mongo sort."""
    conditions: Conditions
    sort: list
    residual: object = None      # extra predicate on raw docs, or None


@dataclass
class CompiledQuery:
    """The conditions, the chain of queries that returns them in order, and the
    ``residuals`` every candidate must also pass."""
    conditions: Conditions
    segments: list
    residuals: list = field(default_factory=list)
    sort: tuple = None

    @property
    def filter(self):
        return self.conditions.to_filter()

    def matches(self, doc):
        return all(check(doc) for check in self.residuals)


def iter_matches(documents, compiled, projection=None, first_batch=None):
    """Raw documents of ``documents`` (a pymongo collection) matching ``compiled``,
    in its order, segment after segment, lazily.

    With ``first_batch`` each segment is read in sort + skip/limit chunks
    (``first_batch``, then doubling): the embedded server sorts every match
    of an unlimited query before returning the first, while with a limit it
    reads only what the page needs (DESIGN.md, "What queries cost").  Without
    it, one cursor per segment (counting walks everything anyway)."""
    for segment in compiled.segments:
        spec = segment.conditions.to_filter()
        if spec is None:
            continue
        for doc in _chunks(documents, spec, projection, segment.sort, first_batch):
            if segment.residual is not None and not segment.residual(doc):
                continue
            if compiled.matches(doc):
                yield doc


def _chunks(documents, spec, projection, sort, first_batch):
    if not first_batch:
        yield from documents.find(spec, projection).sort(sort)
        return
    skip, size = 0, first_batch
    while True:
        docs = list(documents.find(spec, projection).sort(sort).skip(skip).limit(size))
        yield from docs
        if len(docs) < size:
            return
        skip += size
        size *= 2


def serving_index(spec, sort, indexes):
    """The first of ``indexes`` (tuples of keys) whose leading keys are the
    equality keys of ``spec`` followed by the sort keys; None if none does.
    It documents (and tests assert) which index a list query relies on."""
    equalities = {k for k, v in spec.items() if not isinstance(v, dict)}
    sort_keys = [k for k, _d in sort]
    for index in sorted(indexes, key=len, reverse=True):
        index = list(index)
        head = index[:len(index) - len(sort_keys)] if sort_keys else index
        if index[len(head):] != sort_keys:
            continue
        if set(head) <= equalities and head[:2] == ["tool_id", "deleted"]:
            return tuple(index)
    return None
