"""Auditors: synchronous checks that see a change before it is saved (after Roundup).

The unit of work (``forge.unit_of_work.change``, through which every action
of the core and the tools changes data) calls ``run_auditors`` after
validating the input and before any document changes, with the topic of the
event the change will emit.  The matching auditors run in order (priority,
then name; see ``forge.bus.registry``), each with the same ``Change``:

* it may modify ``change.new`` in place; the action saves what is in
  ``change.new`` afterwards (and the unit of work validates it again);
* it may raise ``Rejected("message", status=422)``; the action then stops
  before writing anything (no document, no snapshot, no audit-log entry, no
  outbox record), and
  the page or the JSON error shows the message with that status.

An auditor is a plain function::

    def no_shouting(change):
        title = change.new.get("title")
        if title and title.isupper():
            change.new["title"] = title.capitalize()

    def includeme(config):
        config.add_auditor("notes.note.*", no_shouting)

``Change`` does not depend on a request: the CLI, the mail gateway and the
tests go through the same auditors as the web.  (The audit *log*, the record
of who changed what, is ``forge.model.change_log``.)
"""
from ..actions import ActionError
from .registry import auditors_for

ALLOWED_STATUSES = (400, 403, 409, 422)


class Rejected(ActionError):
    """An auditor's refusal: ``message`` is shown to the user with ``status``
    (400 by default; 403, 409 and 422 also fit a refused change)."""

    def __init__(self, message, status=400):
        if status not in ALLOWED_STATUSES:
            raise ValueError("Rejected status must be one of %s, got %r"
                             % (", ".join(map(str, ALLOWED_STATUSES)), status))
        super().__init__(message)
        self.message = message
        self.status = status


class Change:
    """A proposed change, as auditors see it.

    ``topic``      the topic of the event the change will emit
    ``node_type``  the document class name (``Project``, ``ToolInstance``, ``Note``...)
    ``node``       the Ming document changed, or None when it is being created
    ``old``        the relevant values before the change (``{}`` when creating)
    ``new``        the proposed values; auditors may modify this dict in place
    ``actor``      the User document making the change, or None for the system
    ``source``     where it comes from: web, rest, cli, mail, scm, demo
    ``registry``   the Pyramid registry (settings, other registrations)
    ``detail``     facts about the change an auditor may read but not alter
                   (``{"action": "acl.add"}``, the project of a new tool, ...)
    """

    __slots__ = ("topic", "node_type", "node", "old", "new", "actor", "source", "registry",
                 "detail")

    def __init__(self, topic, node_type, node, old, new, actor, source, registry,
                 detail=None):
        self.topic = topic
        self.node_type = node_type
        self.node = node
        self.old = old
        self.new = new
        self.actor = actor
        self.source = source
        self.registry = registry
        self.detail = detail or {}

    def __repr__(self):
        return "<Change %s %s by %s from %s>" % (
            self.topic, self.node_type,
            getattr(self.actor, "username", None) or "system", self.source)

    def changed(self, name):
        """True if ``new`` proposes a value for ``name`` that differs from ``old``."""
        return name in self.new and self.new[name] != self.old.get(name)


def run_auditors(registry, topic, *, node_type, node=None, old=None, new, actor, source="web",
                 detail=None):
    """Run the auditors matching ``topic`` on the proposed change; return the
    ``Change`` (whose ``new`` the caller saves) or let ``Rejected`` through."""
    change = Change(topic, node_type, node, dict(old or {}), new, actor, source or "web",
                    registry, detail)
    for auditor in auditors_for(registry, topic):
        auditor.fn(change)
    return change
