"""A tracker's configuration: states, priorities, milestones, default assignee,
extra list columns and tracker-wide saved searches.

It lives in ``ToolInstance.options`` (a plain dict the core stores), so a
tracker needs no collection of its own for it and every change to it is a
``project.tool.updated`` event like the core's custom-field changes.
``tracker_options(tool_doc)`` reads it with the defaults filled in; the
``clean_*`` helpers validate what an admin submits (``ValueError`` with the
message the admin sees).
"""
import datetime
import re
from dataclasses import asdict, dataclass, field

from forge.api import ActionError, plain_value, single_line

DEFAULT_OPEN = ("open", "accepted", "in-progress")
DEFAULT_CLOSED = ("closed", "wont-fix", "duplicate", "invalid")
DEFAULT_PRIORITIES = ("low", "normal", "high", "critical")
DEFAULT_PRIORITY = "normal"

# states and priorities are single words, so the query language needs no quotes for them
WORD = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,39}$")
DUE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_WORDS = 20
MAX_MILESTONES = 200
MAX_MILESTONE_NAME = 80
MAX_DESCRIPTION = 2000
MAX_SEARCHES = 30
MAX_SEARCH_NAME = 60
MAX_QUERY = 500
MAX_COLUMNS = 10


@dataclass(frozen=True)
class Milestone:
    name: str
    due: str = ""            # "YYYY-MM-DD" or ""
    description: str = ""
    closed: bool = False


@dataclass(frozen=True)
class SavedSearch:
    name: str
    query: str


@dataclass(frozen=True)
class TrackerOptions:
    open_states: tuple = DEFAULT_OPEN
    closed_states: tuple = DEFAULT_CLOSED
    priorities: tuple = DEFAULT_PRIORITIES
    default_priority: str = DEFAULT_PRIORITY
    milestones: tuple = ()
    default_assignee: str = ""
    # names of custom fields shown as extra columns of the ticket list
    list_columns: tuple = ()
    saved_searches: tuple = field(default_factory=tuple)

    @property
    def states(self):
        return tuple(self.open_states) + tuple(self.closed_states)

    def is_closed(self, status):
        return status in self.closed_states

    @property
    def milestone_names(self):
        return tuple(m.name for m in self.milestones)

    def milestone(self, name):
        for m in self.milestones:
            if m.name == name:
                return m
        return None

    def as_dict(self):
        """What ``ToolInstance.options`` stores (plain data)."""
        return plain_value(asdict(self))


def tracker_options(tool_doc):
    """The tracker's options with defaults for whatever was never set."""
    stored = dict(getattr(tool_doc, "options", None) or {})
    priorities = tuple(stored.get("priorities") or DEFAULT_PRIORITIES)
    default_priority = stored.get("default_priority") or DEFAULT_PRIORITY
    if default_priority not in priorities:
        default_priority = priorities[0]
    return TrackerOptions(
        open_states=tuple(stored.get("open_states") or DEFAULT_OPEN),
        closed_states=tuple(stored.get("closed_states") or DEFAULT_CLOSED),
        priorities=priorities,
        default_priority=default_priority,
        milestones=tuple(_milestone(m) for m in stored.get("milestones") or ()
                         if m and m.get("name")),
        default_assignee=stored.get("default_assignee") or "",
        list_columns=tuple(stored.get("list_columns") or ()),
        saved_searches=tuple(SavedSearch(s.get("name", ""), s.get("query", ""))
                             for s in stored.get("saved_searches") or () if s))


def _milestone(data):
    return Milestone(name=data["name"], due=data.get("due") or "",
                     description=data.get("description") or "",
                     closed=bool(data.get("closed")))


# -- validation of what an admin submits -------------------------------------------

def checked(clean, *args):
    """``clean(*args)``, its ValueError an ActionError (a 400 with the message)."""
    try:
        return clean(*args)
    except ValueError as error:
        raise ActionError(str(error)) from None


def clean_words(raw, what):
    """"open, accepted" (commas or new lines) -> ("open", "accepted")."""
    words = []
    for word in re.split(r"[,\n]", raw or ""):
        word = word.strip().lower()
        if not word:
            continue
        if not WORD.match(word):
            raise ValueError("%s: %r is not a valid name; use 1-40 lowercase letters, "
                             "digits, '-', '_' or '.', starting with a letter or digit."
                             % (what, word[:40]))
        if word in words:
            raise ValueError("%s: %r is listed twice." % (what, word))
        words.append(word)
    if not words:
        raise ValueError("%s: give at least one." % what)
    if len(words) > MAX_WORDS:
        raise ValueError("%s: at most %d." % (what, MAX_WORDS))
    return tuple(words)


def clean_states(open_raw, closed_raw):
    open_states = clean_words(open_raw, "Open states")
    closed_states = clean_words(closed_raw, "Closed states")
    both = sorted(set(open_states) & set(closed_states))
    if both:
        raise ValueError("A state cannot be both open and closed: %s." % ", ".join(both))
    return open_states, closed_states


def clean_priorities(raw, default_raw):
    priorities = clean_words(raw, "Priorities")
    default = (default_raw or "").strip().lower() or priorities[0]
    if default not in priorities:
        raise ValueError("The default priority must be one of: %s." % ", ".join(priorities))
    return priorities, default


def clean_due(raw):
    raw = (raw or "").strip()
    if not raw:
        return ""
    try:
        if not DUE.match(raw):
            raise ValueError
        return datetime.date.fromisoformat(raw).isoformat()
    except ValueError:
        raise ValueError("The due date must be a date like 2026-01-31 (or empty), "
                         "not %r." % raw[:40]) from None


def clean_milestone_name(raw, existing=()):
    name = " ".join((raw or "").split())
    if not name:
        raise ValueError("A milestone needs a name.")
    if len(name) > MAX_MILESTONE_NAME or not single_line(name) or '"' in name:
        raise ValueError("A milestone name is one line of at most %d characters, "
                         "without double quotes." % MAX_MILESTONE_NAME)
    if name.lower() in ("none", "any"):
        raise ValueError("%r is reserved in searches; choose another name." % name)
    if name in existing:
        raise ValueError("There is already a milestone named %r." % name)
    return name


def clean_description(raw):
    text = (raw or "").replace("\r\n", "\n").strip()
    if len(text) > MAX_DESCRIPTION or "\x00" in text:
        raise ValueError("A milestone's description may be at most %d characters."
                         % MAX_DESCRIPTION)
    return text


def clean_search(name_raw, query_raw, existing=()):
    """A saved search's name and query (the query is checked by the caller's parser)."""
    name = " ".join((name_raw or "").split())
    query = " ".join((query_raw or "").split())
    if not name or len(name) > MAX_SEARCH_NAME or not single_line(name):
        raise ValueError("A saved search needs a name of at most %d characters."
                         % MAX_SEARCH_NAME)
    if name in existing:
        raise ValueError("There is already a saved search named %r." % name)
    if len(query) > MAX_QUERY:
        raise ValueError("A query may be at most %d characters." % MAX_QUERY)
    return name, query
