"""A parsed ticket query checked against one tracker (its states,
priorities, milestones, users and custom fields) and turned into a
``CompiledQuery``: equality conditions on the indexed fields first, the sort's
segments (``tools.tracker.query_sort``), and ``residuals``: what Ming's
in-memory ``mim://`` cannot evaluate the way MongoDB does (``$nin`` on arrays,
missing sub-fields, negated words), checked again in Python on each candidate.
"""
import re
from dataclasses import dataclass

from .conditions import Conditions
from .query_parse import QueryError
from .query_sort import DEFAULT_SORT, custom_field, sort_segments

COMPARISONS = (">=", "<=", ">", "<")
YES = ("yes", "true", "y", "1", "on")
NO = ("no", "false", "n", "0", "off")
NONE = ("none", "nobody")


@dataclass
class QueryContext:
    """What a query is checked against: the tracker's options and custom fields,
    the viewer (for ``me``) and a ``user_id(username) -> id or None`` lookup."""
    options: object
    custom_specs: list
    me: str = None
    user_id: object = None


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
    segments = sort_segments(conditions, sort, context, specs)
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
            residuals.append(lambda doc: custom_field(doc, name) is not True)
        return
    if len(term.values) == 1 and term.values[0].lower() in NONE:
        # "no value" is missing or null: checked on each candidate (mim and
        # MongoDB disagree on missing sub-fields)
        if term.negated:
            conditions.present(key)
        else:
            residuals.append(lambda doc: custom_field(doc, name) in (None, ""))
        return
    if spec.type == "text":
        if term.negated:
            needles = [v.lower() for v in term.values]
            residuals.append(lambda doc: not any(
                n in str(custom_field(doc, name) or "").lower() for n in needles))
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
