"""The audit log: who changed what on which node, and when (admins read it on
``@@history``).  Not to be confused with the auditors (``forge.bus.auditing``),
which check a change before it is saved; the unit of work
(``forge.unit_of_work``) writes these entries with the change they describe."""
from ming import schema as S
from ming.odm import FieldProperty, MappedClass

from .cache import not_on_pages
from .session import new_id, session, utcnow


# Only admins read the log, on signed-in pages the page cache never keeps, so a
# sign-in's entry need not empty every process's page cache.
@not_on_pages
class ChangeLogEntry(MappedClass):
    class __mongometa__:
        session = session
        name = "audit_log"      # the stored name, kept so existing logs still read
        # the site's audit page reads newest first, optionally one actor's
        indexes = [("node_id", "timestamp"), ("project_id", "timestamp"), ("timestamp",),
                   ("actor_id", "timestamp")]

    _id = FieldProperty(str, if_missing=new_id)
    node_id = FieldProperty(str, if_missing=None)
    node_kind = FieldProperty(str)          # "site", "project", "tool", "artifact", "user"
    project_id = FieldProperty(str, if_missing=None)
    actor_id = FieldProperty(str, if_missing=None)
    timestamp = FieldProperty(S.DateTime, if_missing=utcnow)
    action = FieldProperty(str)             # "acl.add", "acl.remove", "role.add-member", ...
    summary = FieldProperty(str)            # one human-readable line
    detail = FieldProperty({str: S.Anything})


def log_change(node_doc, node_kind, actor, action, summary, project_id=None, **detail):
    """Add an audit-log entry to the coming flush (actions call ``ch.log`` in a
    unit of work instead; this is for the few changes that are not one)."""
    return ChangeLogEntry(node_id=node_doc._id, node_kind=node_kind,
                          project_id=project_id, actor_id=actor._id if actor else None,
                          action=action, summary=summary, detail=detail)


def entries_for(node_doc, limit=200):
    return ChangeLogEntry.query.find({"node_id": node_doc._id}).sort(
        "timestamp", -1).limit(limit).all()
