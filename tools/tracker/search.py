"""How tickets are indexed (``forge.search``): "#12 summary", the description
and the ticket's typed fields, so ``status:open``, ``priority:high``,
``milestone:1.0``, ``assigned_to:ada``, ``is:closed`` and custom fields
(``severity:high``) work in the search box as in the tracker's own query."""
from forge.api import User


def _username(user_id):
    user = User.query.get(_id=user_id) if user_id else None
    return user.username if user is not None else ""


def ticket_document(doc, node):
    return {"title": "#%s %s" % (doc.number, doc.title), "text": doc.description or "",
            "labels": list(doc.labels or ()),
            "fields": {"number": str(doc.number), "status": doc.status,
                       "is": "closed" if doc.closed else "open",
                       "priority": doc.priority, "milestone": doc.milestone,
                       "assigned_to": _username(doc.assigned_to_id),
                       "reporter": _username(doc.reporter_id)}}


def includeme(config):
    config.add_search_type("tracker.ticket", ticket_document)
