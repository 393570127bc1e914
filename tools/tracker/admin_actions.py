"""Changes to a tracker's configuration (``ToolInstance.options``).

Each one validates what the admin submitted, then is the core's
``set_tool_options`` (one unit of work: the ``project.tool.updated`` auditors,
the settings version the form showed, an audit-log entry ``tracker.<what>`` and
``ToolUpdated``).  Validation failures are ``ActionError`` (400) with the
message the admin sees.
"""
from dataclasses import replace

from forge.api import ActionError, set_tool_options, username_exists

from .config import (MAX_COLUMNS, MAX_MILESTONES, MAX_SEARCHES, Milestone, SavedSearch, checked,
                     clean_description, clean_due, clean_milestone_name, clean_priorities,
                     clean_search, clean_states, tracker_options)


def change_options(registry, tool, options, actor, what, summary, version=None):
    """Store ``options`` (a TrackerOptions) on ``tool`` (a ToolInstance)."""
    return set_tool_options(registry, tool, options.as_dict(), actor, what, summary,
                            version=version)


def set_states(registry, tool, open_raw, closed_raw, actor, version=None):
    open_states, closed_states = checked(clean_states, open_raw, closed_raw)
    options = replace(tracker_options(tool), open_states=open_states,
                      closed_states=closed_states)
    return change_options(registry, tool, options, actor, "states",
                          "set the states: open %s; closed %s" % (
                              ", ".join(open_states), ", ".join(closed_states)),
                          version=version)


def set_priorities(registry, tool, raw, default_raw, actor, version=None):
    priorities, default = checked(clean_priorities, raw, default_raw)
    options = replace(tracker_options(tool), priorities=priorities, default_priority=default)
    return change_options(registry, tool, options, actor, "priorities",
                          "set the priorities: %s (default %s)"
                          % (", ".join(priorities), default), version=version)


def set_default_assignee(registry, tool, username, actor, version=None):
    username = (username or "").strip()
    if username and not username_exists(username):
        raise ActionError("There is no user named %r." % username[:60])
    options = replace(tracker_options(tool), default_assignee=username)
    return change_options(registry, tool, options, actor, "default-assignee",
                          "set the default assignee to %s" % (username or "nobody"),
                          version=version)


def set_list_columns(registry, tool, names, actor, version=None):
    known = {spec["name"] for spec in tool.custom_fields or ()}
    names = list(dict.fromkeys(n for n in names if n))
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ActionError("There is no custom field named %r (reload the page)."
                          % unknown[0][:40])
    if len(names) > MAX_COLUMNS:
        raise ActionError("The list may show at most %d extra columns." % MAX_COLUMNS)
    options = replace(tracker_options(tool), list_columns=tuple(names))
    return change_options(registry, tool, options, actor, "list-columns",
                          "set the list's extra columns: %s" % (", ".join(names) or "none"),
                          version=version)


def add_milestone(registry, tool, name, due, description, actor, version=None):
    options = tracker_options(tool)
    if len(options.milestones) >= MAX_MILESTONES:
        raise ActionError("A tracker may have at most %d milestones." % MAX_MILESTONES)
    milestone = Milestone(name=checked(clean_milestone_name, name, options.milestone_names),
                          due=checked(clean_due, due),
                          description=checked(clean_description, description))
    milestones = _by_due(options.milestones + (milestone,))
    change_options(registry, tool, replace(options, milestones=milestones), actor,
                   "milestone-add", "added the milestone %s" % milestone.name, version=version)
    return milestone


def update_milestone(registry, tool, name, actor, due=None, description=None, closed=None,
                     version=None):
    """Change a milestone's due date, description or closed flag (None: keep)."""
    options = tracker_options(tool)
    milestone = options.milestone(name)
    if milestone is None:
        raise ActionError("There is no milestone named %r (reload the page)." % (name or "")[:60])
    changed = replace(
        milestone,
        due=milestone.due if due is None else checked(clean_due, due),
        description=(milestone.description if description is None
                     else checked(clean_description, description)),
        closed=milestone.closed if closed is None else bool(closed))
    milestones = _by_due(tuple(changed if m.name == name else m for m in options.milestones))
    verb = {True: "closed", False: "reopened", None: "changed"}[
        None if closed is None or closed == milestone.closed else closed]
    change_options(registry, tool, replace(options, milestones=milestones), actor,
                   "milestone-update", "%s the milestone %s" % (verb, name), version=version)
    return changed


def _by_due(milestones):
    """Dated milestones first, soonest first; undated ones after, in the order added."""
    dated = sorted((m for m in milestones if m.due), key=lambda m: m.due)
    return tuple(dated) + tuple(m for m in milestones if not m.due)


def add_tracker_search(registry, tool, name, query, actor, check_query, version=None):
    """A saved search every reader of the tracker sees; ``check_query(query)``
    raises ``ValueError`` for a query the list would refuse."""
    options = tracker_options(tool)
    if len(options.saved_searches) >= MAX_SEARCHES:
        raise ActionError("A tracker may have at most %d saved searches." % MAX_SEARCHES)
    name, query = checked(clean_search, name, query,
                           [s.name for s in options.saved_searches])
    checked(check_query, query)
    searches = options.saved_searches + (SavedSearch(name, query),)
    change_options(registry, tool, replace(options, saved_searches=searches), actor,
                   "search-add", "added the saved search %s" % name, version=version)


def remove_tracker_search(registry, tool, name, actor, version=None):
    options = tracker_options(tool)
    searches = tuple(s for s in options.saved_searches if s.name != name)
    if len(searches) == len(options.saved_searches):
        raise ActionError("There is no saved search named %r (reload the page)."
                          % (name or "")[:60])
    change_options(registry, tool, replace(options, saved_searches=searches), actor,
                   "search-remove", "removed the saved search %s" % name, version=version)
