"""The tracker's documents: tickets (versioned artifacts) and the per-tracker counter.

A ticket's ``path`` is its number as a string, so the core's
``ArtifactContainer`` resolves ``/<mount>/12`` with its usual one-query
lineage lookup and the versions, history, diff and permission pages of the
core apply to tickets unchanged.
"""
from ming.odm import FieldProperty, MappedClass

from forge.api import StoredFields, VersionedArtifact, session, shown_as, usernames


class Ticket(VersionedArtifact):
    """One ticket.  ``title`` is the summary; ``closed`` is derived from
    ``status`` (one of the tracker's closed states) and kept in sync by the
    actions, so lists can filter open/closed with one indexed equality."""

    class __mongometa__:
        polymorphic_identity = "tracker.ticket"
        # every list is one indexed equality + sort: see DESIGN.md "What queries cost"
        indexes = [
            ("tool_id", "deleted", "number"),
            ("tool_id", "deleted", "status", "number"),
            ("tool_id", "deleted", "milestone", "number"),
            ("tool_id", "deleted", "assigned_to_id", "number"),
            ("tool_id", "deleted", "closed", "number"),
            ("tool_id", "deleted", "modified"),
            # (tracker-lists) nx-27017 sorts + limits by walking a single-key index
            # and filtering; it cannot sort from the compound ones above
            ("number",), ("modified",),
        ]

    type = FieldProperty(str, if_missing=__mongometa__.polymorphic_identity)
    number = FieldProperty(int)
    description = FieldProperty(str, if_missing="")
    status = FieldProperty(str, if_missing="open")
    closed = FieldProperty(bool, if_missing=False)
    # the reporter is the author; stored under its own name too so that lists
    # can query "reporter:" like any other field
    reporter_id = FieldProperty(str, if_missing=None)
    assigned_to_id = FieldProperty(str, if_missing=None)
    milestone = FieldProperty(str, if_missing="")
    priority = FieldProperty(str, if_missing="normal")
    # no longer written: watchers are the core's Watch documents (forge.notifications)
    watcher_ids = FieldProperty([str])

    versioned_fields = ("title", "description", "status", "closed", "assigned_to_id",
                        "labels", "milestone", "priority", "custom", "ext")


class StoredTicket(StoredFields):
    """A ticket as stored, read like a ``Ticket`` without building its Ming
    object (a copy and a schema validation of every field, a tenth of the
    ticket page's own work); missing fields read as ``Ticket``'s defaults.
    ``shown_ticket(node)`` gives one, or the Ming object when the request
    already built it (it may hold a change not yet saved)."""

    __slots__ = ()
    DEFAULTS = {"number": None, "description": "", "status": "open", "closed": False,
                "reporter_id": None, "assigned_to_id": None, "milestone": "",
                "priority": "normal", "version": 0, "title": "", "labels": (),
                "custom": {}, "ext": {}, "author_id": None, "deleted": False, "acl": (),
                "type": "tracker.ticket"}


def shown_ticket(node):
    """What the ticket page reads of ``node``'s ticket (see ``StoredTicket``)."""
    return shown_as(StoredTicket, node)


class TicketCounter(MappedClass):
    """The last number handed out per tracker (``_id`` = the tool's id)."""

    class __mongometa__:
        session = session
        name = "tracker_counter"

    _id = FieldProperty(str)
    last = FieldProperty(int, if_missing=0)


def ticket_document(doc, node):
    """The search document: "#12 summary", the description and the typed fields,
    so ``status:open``, ``is:closed``, ``assigned_to:ada`` (and custom fields,
    which the core adds) work in the search box as in the tracker's own query."""
    names = usernames(i for i in (doc.assigned_to_id, doc.reporter_id) if i)
    return {"title": "#%s %s" % (doc.number, doc.title), "text": doc.description or "",
            "labels": list(doc.labels or ()),
            "fields": {"number": str(doc.number), "status": doc.status,
                       "is": "closed" if doc.closed else "open",
                       "priority": doc.priority, "milestone": doc.milestone,
                       "assigned_to": names.get(doc.assigned_to_id, ""),
                       "reporter": names.get(doc.reporter_id, "")}}
