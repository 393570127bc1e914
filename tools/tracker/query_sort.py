"""The order of a compiled ticket query as a chain of indexed queries
(``Segment``s): a plain sort is one query that an index ``(tool_id, deleted,
<field>, number)`` serves; a sort by an enumerated field (status, priority,
milestone, select fields) is one indexed equality query per value in the
configured order, then one for the values outside it.
"""
from forge.api import QueryError, Segment, custom_field

DEFAULT_SORT = ("number", True)

# each served by an index (tool_id, deleted, ..., number) or (tool_id, deleted,
# modified); tickets are numbered in creation order, so "created" is "number"
SORT_KEYS = {"number": ["number"], "created": ["number"], "modified": ["modified"],
             "summary": ["title", "number"], "assigned_to": ["assigned_to_id", "number"],
             "reporter": ["reporter_id", "number"]}


def sort_segments(conditions, sort, context, specs):
    """The segments that run ``conditions`` in the order ``sort`` (field, descending)."""
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
                                residual=lambda doc: custom_field(doc, name) is None))
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
                                residual=lambda doc: custom_field(doc, name) not in values))
    else:
        rest = conditions.copy().none_of(key, values)
        if rest.to_filter() is not None:
            segments.append(Segment(rest, by_number))
    return segments
