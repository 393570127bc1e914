"""Recording audit entries (who did what to which node)."""
from ..model import AuditEntry


def record(node_doc, node_kind, actor, action, summary, project_id=None, **detail):
    return AuditEntry(node_id=node_doc._id, node_kind=node_kind,
                      project_id=project_id, actor_id=actor._id if actor else None,
                      action=action, summary=summary, detail=detail)


def entries_for(node_doc, limit=200):
    return AuditEntry.query.find({"node_id": node_doc._id}).sort(
        "timestamp", -1).limit(limit).all()
