"""Changes to tickets: create (numbered, optionally private), save a new
version of the fields, change status, watch/unwatch, delete.

Each one validates, then is one unit of work (``forge.api.change``): the
auditors (``tracker.ticket.*`` topics), the write, the audit-log entry, the
event and the flush, like every action of the forge.  Saves reuse the
core's optimistic ``save_versioned`` (a stale save raises ``StaleSave``).
"""
from forge.api import (ActionError, ArtifactCreated, ArtifactDeleted, Snapshot, add_watch, change,
                       flush_or_refuse, role_named, save_versioned, set_fields, set_watch,
                       user_principal, utcnow, with_privacy)

from .config import tracker_options
from .model import Ticket
from .numbering import next_number

TICKET_TYPE = "tracker.ticket"
# what a new ticket's fields may be (the auditors' ``change.new`` is cut to these)
FIELDS = ("title", "description", "status", "assigned_to_id", "labels", "milestone",
          "priority", "custom", "ext")


def tracker_settings(tool_doc):
    """The tracker's states, priorities, milestones and default assignee."""
    return tracker_options(tool_doc)


def default_priority(options):
    return options.default_priority


def ticket_acl(project_doc, reporter, private):
    """Empty (inherit the tracker's), or readable only by the project's
    Developers and the reporter."""
    if not private:
        return []
    readers = []
    developer = role_named(project_doc, "Developer")
    if developer is not None:
        readers.append(developer.principal)
    if reporter is not None:
        readers.append(user_principal(reporter._id))
    return with_privacy([], True, readers)


def check_status(options, status):
    if status not in options.open_states and status not in options.closed_states:
        raise ActionError("The status must be one of: %s." % ", ".join(
            list(options.open_states) + list(options.closed_states)))
    return status


def create_ticket(registry, project_doc, tool_doc, fields, actor, private=False,
                  source="web"):
    """Create ticket N+1 of the tracker with ``fields`` (title, description,
    status, assigned_to_id, labels, milestone, priority, custom, ext).

    The number is taken after the auditors accepted the ticket, so a refused
    ticket uses no number."""
    options = tracker_settings(tool_doc)
    fields = dict(fields)
    fields.setdefault("status", options.open_states[0] if options.open_states else "open")
    fields.setdefault("priority", default_priority(options))
    check_status(options, fields["status"])
    acl = ticket_acl(project_doc, actor, private)
    with change(registry, ArtifactCreated, topic="%s.%s" % (TICKET_TYPE, ArtifactCreated.verb),
                node_type=Ticket, new=fields, actor=actor, source=source,
                tool_id=tool_doc._id, private=private) as ch:
        fields = {k: v for k, v in ch.new.items() if k in FIELDS}
        check_status(options, fields["status"])
        fields["closed"] = options.is_closed(fields["status"])
        number = next_number(tool_doc._id)
        now = utcnow()
        author_id = actor._id if actor else None
        ticket = ch.node = Ticket(path=str(number), family=str(number), number=number,
                                  project_id=tool_doc.project_id, tool_id=tool_doc._id, acl=acl,
                                  version=1, created=now, modified=now, author_id=author_id,
                                  reporter_id=author_id, **fields)
        flush_or_refuse("Ticket #%d exists already." % number, ticket)
        Snapshot(artifact_id=ticket._id, version=1, author_id=author_id, timestamp=now,
                 comment="created", data=ticket.snapshot_data())
        if actor is not None:       # the reporter watches (now, not when the reactor runs)
            add_watch(actor._id, "artifact", ticket)
        ch.event_detail["number"] = number
    return ticket


def update_ticket(registry, ticket, edited_version, changes, actor, comment="",
                  source="web"):
    """Save ``changes`` as the next version (``closed`` follows ``status``).
    Raises StaleSave when ``edited_version`` is not the current one.
    Returns (ticket, changed)."""
    tool_doc = _tool_of(ticket)
    options = tracker_settings(tool_doc)
    changes = dict(changes)
    if "status" in changes:
        check_status(options, changes["status"])
        changes["closed"] = options.is_closed(changes["status"])
    return save_versioned(registry, ticket, edited_version, changes, actor,
                          comment=comment, source=source)


def set_status(registry, ticket, edited_version, status, actor, comment="", source="web"):
    """The quick close/reopen: only the status (and so ``closed``) changes."""
    return update_ticket(registry, ticket, edited_version, {"status": status}, actor,
                         comment=comment, source=source)


def _tool_of(ticket):
    from forge.api import ToolInstance
    return ToolInstance.query.get(_id=ticket.tool_id)


def set_watching(registry, ticket, actor, watch=True, source="web"):
    """Watch or stop watching the ticket: the core's watches
    (``forge.notifications``), events ``tracker.ticket.watched|unwatched``.
    The ticket page's button posts to the core's ``@@watch``/``@@unwatch``."""
    return set_watch(registry, "artifact", ticket, actor, watch=watch, source=source)


def delete_ticket(registry, ticket, actor, source="web"):
    """Mark the ticket deleted: it answers 404 and leaves the lists; its
    number is not reused."""
    with change(registry, ArtifactDeleted, topic="%s.%s" % (TICKET_TYPE, ArtifactDeleted.verb),
                node=ticket, old={"deleted": False}, new={"deleted": True}, actor=actor,
                source=source) as ch:
        set_fields(ticket, deleted=True)
        ch.log("tracker.delete", "deleted ticket #%d %s" % (ticket.number, ticket.title),
               path=ticket.path)
