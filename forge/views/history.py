"""``@@history`` of every node: its audit log and, for versioned artifacts, its versions.

The audit log (who changed permissions, roles, tools...) needs ``admin`` on
the node.  A versioned artifact's version list needs only ``read``; its
audit part is then shown to those who may administer it.
"""
from pyramid.view import view_config

from ..model.change_log import entries_for
from ..actions.versions import history
from ..interfaces import INode, IVersioned
from ..user_lookup import usernames


def audit_rows(node):
    entries = entries_for(node.doc)
    names = usernames(e.actor_id for e in entries)
    return [{"time": e.timestamp, "actor": names.get(e.actor_id, "system"),
             "summary": e.summary, "action": e.action} for e in entries]


def version_rows(artifact_doc):
    snapshots = history(artifact_doc)
    names = usernames(s.author_id for s in snapshots)
    return [{"version": s.version, "author": names.get(s.author_id, "system"),
             "time": s.timestamp, "comment": s.comment} for s in snapshots]


@view_config(context=INode, name="history", permission="admin",
             renderer="forge:templates/node/history.jinja2")
def node_history(context, request):
    return {"audit": audit_rows(context), "versions": None}


@view_config(page_cache=True, context=IVersioned, name="history", permission="read",
             renderer="forge:templates/node/history.jinja2")
def versioned_history(context, request):
    audit = audit_rows(context) if request.can("admin", context) else None
    return {"audit": audit, "versions": version_rows(context.doc),
            "current": context.doc.version, "may_revert": request.can("update", context)}
