"""The ticket query language: a string -> a parsed query -> Mongo filters.

::

    status:open assigned_to:me label:ui milestone:"Release 1.0" _severity:high
    -label:wontfix is:closed reporter:ada priority:high,critical _points:>3
    crash sort:-modified

* ``field:value`` terms are ANDed; ``a,b`` (unquoted) means a OR b; ``-field:v``
  negates; quotes keep spaces and commas in a value.
* ``status:open`` / ``status:closed`` mean any open / closed state (the
  ``closed`` flag the actions keep in sync, so it is one indexed equality);
  any other value is an exact state, and ``status:=open`` the state named
  "open" itself.  ``is:open`` and ``is:closed`` say the same.
* ``_name:value`` filters a custom field by its type: integers and dates also
  take ``>``, ``>=``, ``<``, ``<=``; booleans take yes/no; ``none`` means no value.
* Free words must all occur in the summary (case-insensitive).
* ``sort:field`` / ``sort:-field``: number, created, modified, summary, status,
  priority, milestone, assignee, reporter or a custom field; ties by number.

``parse`` raises ``QueryError`` (a message for the list page) and knows no
tracker; ``compile_query`` checks the values against the tracker's states,
priorities, milestones, users and custom fields and returns a
``CompiledQuery``: equality conditions on the indexed fields first, and a
sort that an index ``(tool_id, deleted, <field>, number)`` serves.  Sorting by
an enumerated field (status, priority, milestone, select fields) is a chain
of indexed equality queries in the configured order ("segments") rather than
an alphabetical sort.

What Ming's in-memory ``mim://`` cannot evaluate the way MongoDB does
(``$nin`` on arrays, missing sub-fields, negated words) is also checked in
Python on each candidate (``residual``), which is correct on every server.
"""
import re
from dataclasses import dataclass, field

from .conditions import Conditions, iter_matches, serving_index  # noqa: F401 (API)

MAX_QUERY = 500
MAX_TERMS = 30
MAX_VALUE = 200
SORTABLE = ("number", "created", "modified", "summary", "status", "priority", "milestone",
            "assigned_to", "reporter")
ALIASES = {"assignee": "assigned_to", "owner": "assigned_to", "labels": "label",
           "author": "reporter", "title": "summary", "state": "status"}
FIELDS = ("status", "is", "assigned_to", "reporter", "label", "milestone", "priority",
          "sort")
COMPARISONS = (">=", "<=", ">", "<")
YES = ("yes", "true", "y", "1", "on")
NO = ("no", "false", "n", "0", "off")
NONE = ("none", "nobody")


class QueryError(ValueError):
    """A query the list page cannot run; the message says what to change."""


@dataclass(frozen=True)
class Term:
    field: str            # "status", "label", "_severity", ...
    values: tuple         # alternatives (a OR b)
    negated: bool = False
    quoted: bool = False


@dataclass(frozen=True)
class Word:
    text: str
    negated: bool = False


@dataclass
class ParsedQuery:
    terms: list = field(default_factory=list)
    words: list = field(default_factory=list)
    sort: tuple = None    # (field, descending)

    def __str__(self):
        return unparse(self)


# -- parsing ---------------------------------------------------------------------

FIELD_START = re.compile(r"(-?)([A-Za-z_][A-Za-z0-9_-]*):")


def parse(text):
    """``text`` -> ParsedQuery; raises QueryError."""
    text = (text or "").strip()
    if len(text) > MAX_QUERY:
        raise QueryError("A query may be at most %d characters." % MAX_QUERY)
    query = ParsedQuery()
    pos = 0
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            break
        match = FIELD_START.match(text, pos)
        if match:
            negated, name = bool(match.group(1)), match.group(2).lower()
            value, quoted, pos = _read_value(text, match.end())
            _add_term(query, ALIASES.get(name, name), value, negated, quoted)
        else:
            negated = text[pos] == "-"
            value, quoted, pos = _read_value(text, pos + negated)
            if value:
                query.words.append(Word(value, negated))
        if len(query.terms) + len(query.words) > MAX_TERMS:
            raise QueryError("A query may have at most %d terms." % MAX_TERMS)
    return query


def _read_value(text, pos):
    """(value, quoted, position after it): a quoted string or up to whitespace."""
    if pos < len(text) and text[pos] == '"':
        end = text.find('"', pos + 1)
        if end < 0:
            raise QueryError("A quote is not closed: %s" % text[pos:pos + 40])
        return text[pos + 1:end], True, end + 1
    end = pos
    while end < len(text) and not text[end].isspace():
        end += 1
    return text[pos:end], False, end


def _add_term(query, name, value, negated, quoted):
    if name not in FIELDS and not name.startswith("_"):
        raise QueryError("Unknown field %r. Use one of: %s, or _name for a custom field."
                         % (name[:40], ", ".join(f for f in FIELDS)))
    if not value.strip():
        raise QueryError("%s: needs a value (quote values that contain spaces)." % name)
    if len(value) > MAX_VALUE:
        raise QueryError("%s: the value is too long." % name)
    if any(ord(c) < 32 for c in value):
        raise QueryError("%s: the value contains control characters." % name)
    if name == "sort":
        if negated or quoted or "," in value:
            raise QueryError("sort: takes one field, e.g. sort:-modified.")
        if query.sort is not None:
            raise QueryError("Only one sort: per query.")
        descending = value.startswith("-")
        key = value.lstrip("-").lower()
        key = ALIASES.get(key, key)
        if key not in SORTABLE and not key.startswith("_"):
            raise QueryError("Cannot sort by %r; sort by one of: %s, or _name for a "
                             "custom field." % (key[:40], ", ".join(SORTABLE)))
        query.sort = (key, descending)
        return
    values = (value,) if quoted else tuple(v for v in value.split(",") if v.strip())
    if not values:
        raise QueryError("%s: needs a value." % name)
    query.terms.append(Term(name, values, negated, quoted))


def unparse(query):
    """A canonical string of a parsed query (for saved searches and links)."""
    parts = []
    for term in query.terms:
        value = term.values[0] if term.quoted else ",".join(term.values)
        if term.quoted or " " in value:
            value = '"%s"' % value
        parts.append("%s%s:%s" % ("-" if term.negated else "", term.field, value))
    for word in query.words:
        text = '"%s"' % word.text if " " in word.text else word.text
        parts.append(("-" if word.negated else "") + text)
    if query.sort:
        parts.append("sort:%s%s" % ("-" if query.sort[1] else "", query.sort[0]))
    return " ".join(parts)


# -- compiling against a tracker ----------------------------------------------------

@dataclass
class QueryContext:
    """What a query is checked against: the tracker's options and custom fields,
    the viewer (for ``me``) and a ``user_id(username) -> id or None`` lookup."""
    options: object
    custom_specs: list
    me: str = None
    user_id: object = None


@dataclass
class Segment:
    """One indexed query of a chain: the conditions and the Mongo sort."""
    conditions: Conditions
    sort: list
    residual: object = None      # extra predicate on raw docs, or None


@dataclass
class CompiledQuery:
    conditions: Conditions
    segments: list
    residuals: list
    sort: tuple

    @property
    def filter(self):
        return self.conditions.to_filter()

    def matches(self, doc):
        return all(check(doc) for check in self.residuals)


DEFAULT_SORT = ("number", True)


def compile_query(parsed, tool_id, context):
    """A CompiledQuery for the tracker ``tool_id``; raises QueryError."""
    conditions = Conditions().eq("tool_id", tool_id).eq("deleted", False)
    residuals = []
    specs = {spec.name: spec for spec in context.custom_specs}
    for term in parsed.terms:
        if term.field.startswith("_"):
            _custom_term(conditions, residuals, term, specs)
        else:
            TERMS[term.field](conditions, residuals, term, context)
    _words(conditions, residuals, parsed.words)
    sort = parsed.sort or DEFAULT_SORT
    segments = _segments(conditions, sort, context, specs)
    return CompiledQuery(conditions, segments, residuals, sort)


def _status(conditions, residuals, term, context):
    options = context.options
    states = []
    for value in term.values:
        value = value.lower()
        if value in ("open", "closed"):
            states.extend(options.closed_states if value == "closed" else options.open_states)
            if len(term.values) == 1:
                # the common case is one indexed equality on the derived flag
                if term.negated:
                    conditions.eq("closed", value == "open")
                else:
                    conditions.eq("closed", value == "closed")
                return
            continue
        value = value[1:] if value.startswith("=") else value
        if value not in options.states:
            raise QueryError("status: %r is not a state of this tracker; the states are %s "
                             "(or open / closed for any of them)."
                             % (value[:40], ", ".join(options.states)))
        states.append(value)
    if term.negated:
        conditions.none_of("status", states)
    elif len(states) == 1:
        conditions.eq("status", states[0])
    else:
        conditions.one_of("status", states)


def _is(conditions, residuals, term, context):
    if len(term.values) != 1 or term.values[0].lower() not in ("open", "closed"):
        raise QueryError("is: takes open or closed.")
    closed = term.values[0].lower() == "closed"
    conditions.eq("closed", closed != term.negated)


def _user_ids(term, context):
    ids = []
    for value in term.values:
        name = value.lower()
        if name == "me":
            if not context.me:
                raise QueryError("Sign in to search for %s:me." % term.field)
            ids.append(context.me)
        elif name in NONE:
            ids.append(None)
        else:
            user_id = context.user_id(value) if context.user_id else None
            if user_id is None:
                raise QueryError("%s: there is no user named %r." % (term.field, value[:40]))
            ids.append(user_id)
    return ids


def _people(key):
    def add(conditions, residuals, term, context):
        ids = _user_ids(term, context)
        if term.negated:
            conditions.none_of(key, ids)
        elif len(ids) == 1:
            conditions.eq(key, ids[0])
        else:
            conditions.one_of(key, ids)
    return add


def _label(conditions, residuals, term, context):
    labels = list(term.values)
    if term.negated:
        # $nin on an array: MongoDB and nx-27017 agree, mim does not; check again
        conditions.none_of("labels", labels)
        residuals.append(lambda doc: not set(labels) & set(doc.get("labels") or ()))
    elif len(labels) == 1:
        conditions.has_all("labels", labels)
    elif "in" not in conditions.by_key.get("labels", {}):
        conditions.one_of("labels", labels)
    else:
        residuals.append(lambda doc: bool(set(labels) & set(doc.get("labels") or ())))


def _milestone(conditions, residuals, term, context):
    names = context.options.milestone_names
    values = []
    for value in term.values:
        if value.lower() in NONE:
            values.append("")
            continue
        match = value if value in names else next(
            (n for n in names if n.lower() == value.lower()), None)
        if match is None:
            raise QueryError("milestone: there is no milestone named %r%s." % (
                value[:60], "; the milestones are " + ", ".join(names) if names
                else " (this tracker has no milestones)"))
        values.append(match)
    _choice(conditions, "milestone", values, term.negated)


def _priority(conditions, residuals, term, context):
    priorities = context.options.priorities
    values = [v.lower() for v in term.values]
    for value in values:
        if value not in priorities:
            raise QueryError("priority: %r is not a priority here; use one of %s."
                             % (value[:40], ", ".join(priorities)))
    _choice(conditions, "priority", values, term.negated)


def _choice(conditions, key, values, negated):
    if negated:
        conditions.none_of(key, values)
    elif len(values) == 1:
        conditions.eq(key, values[0])
    else:
        conditions.one_of(key, values)


TERMS = {"status": _status, "is": _is, "assigned_to": _people("assigned_to_id"),
         "reporter": _people("reporter_id"), "label": _label, "milestone": _milestone,
         "priority": _priority}


def _custom_term(conditions, residuals, term, specs):
    name = term.field[1:].lower()
    spec = specs.get(name)
    if spec is None:
        raise QueryError("There is no custom field %r here%s." % (name[:40], (
            "; the custom fields are " + ", ".join("_" + s for s in specs)) if specs
            else " (this tracker has no custom fields)"))
    key = "custom." + name
    if spec.type == "boolean":
        if len(term.values) != 1 or term.values[0].lower() not in YES + NO:
            raise QueryError("%s: is yes or no." % term.field)
        wanted = (term.values[0].lower() in YES) != term.negated
        if wanted:
            conditions.eq(key, True)
        else:
            conditions.none_of(key, [True])
            residuals.append(lambda doc: _custom(doc, name) is not True)
        return
    if len(term.values) == 1 and term.values[0].lower() in NONE:
        # "no value" is missing or null: checked on each candidate (mim and
        # MongoDB disagree on missing sub-fields)
        if term.negated:
            conditions.present(key)
        else:
            residuals.append(lambda doc: _custom(doc, name) in (None, ""))
        return
    if spec.type == "text":
        if term.negated:
            needles = [v.lower() for v in term.values]
            residuals.append(lambda doc: not any(
                n in str(_custom(doc, name) or "").lower() for n in needles))
        else:
            conditions.regex(key, "(?i)" + "|".join(re.escape(v) for v in term.values))
        return
    comparisons, values = [], []
    for raw in term.values:
        op = next((o for o in COMPARISONS if raw.startswith(o)), None)
        if op and spec.type not in ("integer", "date"):
            raise QueryError("%s: only numbers and dates compare with < and >."
                             % term.field)
        text = raw[len(op):] if op else raw
        value = _custom_value(spec, text, term.field)
        (comparisons.append((op, value)) if op else values.append(value))
    if comparisons:
        if term.negated or values or len(comparisons) != len(term.values):
            raise QueryError("%s: give one comparison per term (e.g. %s:>3 %s:<9)."
                             % (term.field, term.field, term.field))
        for op, value in comparisons:
            conditions.compare(key, op, value)
        return
    _choice(conditions, key, values, term.negated)


def _custom_value(spec, text, field_name):
    if spec.type == "integer":
        if not re.fullmatch(r"[+-]?\d{1,18}", text):
            raise QueryError("%s: %r is not a whole number." % (field_name, text[:40]))
        return int(text)
    if spec.type == "date":
        import datetime
        try:
            return datetime.date.fromisoformat(text).isoformat()
        except ValueError:
            raise QueryError("%s: %r is not a date like 2026-01-31."
                             % (field_name, text[:40])) from None
    if spec.type == "select" and text not in spec.options:
        match = next((o for o in spec.options if o.lower() == text.lower()), None)
        if match is None:
            raise QueryError("%s: %r is not one of %s." % (field_name, text[:40],
                                                          ", ".join(spec.options)))
        return match
    return text


def _custom(doc, name):
    return (doc.get("custom") or {}).get(name)


def _words(conditions, residuals, words):
    wanted = [w.text for w in words if not w.negated]
    unwanted = [w.text.lower() for w in words if w.negated]
    if wanted:
        # one regex, each word a look-ahead: all words, any order (PCRE and Python)
        if len(wanted) == 1:
            pattern = "(?i)" + re.escape(wanted[0])
        else:
            pattern = "(?i)" + "".join("(?=.*%s)" % re.escape(w) for w in wanted)
        conditions.regex("title", pattern)
    if unwanted:
        residuals.append(lambda doc: not any(u in (doc.get("title") or "").lower()
                                             for u in unwanted))


# -- sorting -------------------------------------------------------------------------

# each served by an index (tool_id, deleted, ..., number) or (tool_id, deleted,
# modified); tickets are numbered in creation order, so "created" is "number"
SORT_KEYS = {"number": ["number"], "created": ["number"], "modified": ["modified"],
             "summary": ["title", "number"], "assigned_to": ["assigned_to_id", "number"],
             "reporter": ["reporter_id", "number"]}


def _segments(conditions, sort, context, specs):
    key, descending = sort
    direction = -1 if descending else 1
    options = context.options
    if key in SORT_KEYS:
        return [Segment(conditions, [(name, direction) for name in SORT_KEYS[key]])]
    if key == "status":
        open_only = conditions.by_key.get("closed", {}).get("eq")
        states = [s for s in options.states
                  if open_only is None or options.is_closed(s) == open_only]
        return _enumerated(conditions, "status", states, descending)
    if key == "priority":
        return _enumerated(conditions, "priority", list(options.priorities), descending)
    if key == "milestone":
        # in the configured order (the admin lists them by due date), none last
        return _enumerated(conditions, "milestone", list(options.milestone_names) + [""],
                           descending)
    name = key[1:]
    spec = specs.get(name)
    if spec is None:
        raise QueryError("sort: there is no custom field %r here." % name[:40])
    field_key = "custom." + name
    if spec.type == "select":
        return _enumerated(conditions, field_key, list(spec.options), descending,
                           none_last=True)
    valued = conditions.copy().present(field_key)
    segments = [Segment(valued, [(field_key, direction), ("number", direction)])]
    if not conditions.constrains(field_key):
        segments.append(Segment(conditions, [("number", direction)],
                                residual=lambda doc: _custom(doc, name) is None))
    return segments


def _enumerated(conditions, key, values, descending, none_last=False):
    """One indexed equality query per value in the configured order, then the
    documents whose value is none of them (removed states, say)."""
    ordered = list(reversed(values)) if descending else list(values)
    by_number = [("number", -1 if descending else 1)]
    segments = []
    for value in ordered:
        narrowed = conditions.copy().eq(key, value)
        if narrowed.to_filter() is not None:
            segments.append(Segment(narrowed, by_number))
    if key.startswith("custom."):
        name = key.split(".", 1)[1]
        segments.append(Segment(conditions, by_number,
                                residual=lambda doc: _custom(doc, name) not in values))
    else:
        rest = conditions.copy().none_of(key, values)
        if rest.to_filter() is not None:
            segments.append(Segment(rest, by_number))
    return segments
