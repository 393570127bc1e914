"""Changes to tickets: create (numbered, optionally private), save a new
version of the fields, change status, watch/unwatch, delete.

``TicketActions`` are the steps of the declared ``tracker.ticket`` type (the
core's generic ``@@new``, ``@@edit`` and ``@@delete`` call them; numbering is
the core's ``NumberedActions``, a refused ticket takes no number); the module
functions are the same steps for callers that hold a ticket (the list's bulk
edit, the demo, the commit reactor).  Each is one unit of work
(``forge.api.change``): the auditors (``tracker.ticket.*`` topics), the write,
the audit-log entry, the event and the flush.  Saves reuse the core's
optimistic ``save_versioned`` (a stale save raises ``StaleSave``).
"""
from forge.api import (ActionError, NumberedActions, ToolInstance, add_watch, create_artifact,
                       delete_artifact, save_versioned, set_watch)

from .config import tracker_options as tracker_settings
from .model import Ticket, TicketCounter


def check_status(options, status):
    if status not in options.states:
        raise ActionError("The status must be one of: %s." % ", ".join(options.states))
    return status


class TicketActions(NumberedActions):
    """Tickets are numbered per tracker (the core's ``NumberedActions``); a new
    ticket gets the tracker's first open state and default priority, and its
    reporter watches it."""

    counter = TicketCounter

    def prepare(self, kind, tool_doc, fields):
        options = tracker_settings(tool_doc)
        fields.setdefault("status", options.open_states[0])
        fields.setdefault("priority", options.default_priority)
        fields["closed"] = options.is_closed(check_status(options, fields["status"]))
        return fields

    def stored_with(self, actor):
        return {"reporter_id": actor._id if actor is not None else None}

    def created(self, doc, actor):
        if actor is not None:       # the reporter watches (now, not when the reactor runs)
            add_watch(actor._id, "artifact", doc)

    def save(self, registry, kind, doc, edited_version, fields, actor, comment=""):
        changes = {k: fields[k] for k in doc.versioned_fields if k in fields}
        return update_ticket(registry, doc, edited_version, changes, actor, comment=comment)


def create_ticket(registry, project_doc, tool_doc, fields, actor, private=False,
                  source="web"):
    """Create ticket N+1 of the tracker with ``fields`` (title, description,
    status, assigned_to_id, labels, milestone, priority, custom, ext)."""
    return create_artifact(registry, Ticket, project_doc, tool_doc, None, None, fields, actor,
                           private=private, source=source)


def update_ticket(registry, ticket, edited_version, changes, actor, comment="",
                  source="web"):
    """Save ``changes`` as the next version (``closed`` follows ``status``).
    Raises StaleSave when ``edited_version`` is not the current one.
    Returns (ticket, changed)."""
    changes = dict(changes)
    if "status" in changes:
        options = tracker_settings(ToolInstance.query.get(_id=ticket.tool_id))
        changes["closed"] = options.is_closed(check_status(options, changes["status"]))
    return save_versioned(registry, ticket, edited_version, changes, actor,
                          comment=comment, source=source)


def set_status(registry, ticket, edited_version, status, actor, comment="", source="web"):
    """The quick close/reopen: only the status (and so ``closed``) changes."""
    return update_ticket(registry, ticket, edited_version, {"status": status}, actor,
                         comment=comment, source=source)


def set_watching(registry, ticket, actor, watch=True, source="web"):
    """Watch or stop watching the ticket: the core's watches
    (``forge.notifications``), events ``tracker.ticket.watched|unwatched``.
    The ticket page's button posts to the core's ``@@watch``/``@@unwatch``."""
    return set_watch(registry, "artifact", ticket, actor, watch=watch, source=source)


def delete_ticket(registry, ticket, actor):
    """Mark the ticket deleted: it answers 404 and leaves the lists; its
    number is not reused."""
    delete_artifact(registry, ticket, actor)
