"""A parsed ticket query checked against one tracker (its states,
priorities, milestones, users and custom fields) and turned into a
``CompiledQuery``: equality conditions on the indexed fields first, the sort's
segments (``tools.tracker.query_sort``), and ``residuals``: what Ming's
in-memory ``mim://`` cannot evaluate the way MongoDB does (``$nin`` on arrays,
missing sub-fields, negated words), checked again in Python on each candidate.
"""
from dataclasses import dataclass

from forge.api import (CompiledQuery, Conditions, QueryError, choose, custom_field_term,
                       title_words, user_ids)

from .query_sort import DEFAULT_SORT, sort_segments


@dataclass
class QueryContext:
    """What a query is checked against: the tracker's options and custom fields,
    the viewer (for ``me``) and a ``user_id(username) -> id or None`` lookup."""
    options: object
    custom_specs: list
    me: str = None
    user_id: object = None


def compile_query(parsed, tool_id, context):
    """A CompiledQuery for the tracker ``tool_id``; raises QueryError."""
    conditions = Conditions().eq("tool_id", tool_id).eq("deleted", False)
    residuals = []
    specs = {spec.name: spec for spec in context.custom_specs}
    for term in parsed.terms:
        if term.field.startswith("_"):
            custom_field_term(conditions, residuals, term, specs)
        else:
            TERMS[term.field](conditions, residuals, term, context)
    title_words(conditions, residuals, parsed.words)
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
    choose(conditions, "status", states, term.negated)


def _is(conditions, residuals, term, context):
    if len(term.values) != 1 or term.values[0].lower() not in ("open", "closed"):
        raise QueryError("is: takes open or closed.")
    closed = term.values[0].lower() == "closed"
    conditions.eq("closed", closed != term.negated)


def _people(key):
    def add(conditions, residuals, term, context):
        choose(conditions, key, user_ids(term, context.me, context.user_id), term.negated)
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
        if value.lower() in ("none", "nobody"):
            values.append("")
            continue
        match = value if value in names else next(
            (n for n in names if n.lower() == value.lower()), None)
        if match is None:
            raise QueryError("milestone: there is no milestone named %r%s." % (
                value[:60], "; the milestones are " + ", ".join(names) if names
                else " (this tracker has no milestones)"))
        values.append(match)
    choose(conditions, "milestone", values, term.negated)


def _priority(conditions, residuals, term, context):
    priorities = context.options.priorities
    values = [v.lower() for v in term.values]
    for value in values:
        if value not in priorities:
            raise QueryError("priority: %r is not a priority here; use one of %s."
                             % (value[:40], ", ".join(priorities)))
    choose(conditions, "priority", values, term.negated)


TERMS = {"status": _status, "is": _is, "assigned_to": _people("assigned_to_id"),
         "reporter": _people("reporter_id"), "label": _label, "milestone": _milestone,
         "priority": _priority}
