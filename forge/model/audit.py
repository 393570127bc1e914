"""The audit log: who changed what on which node, and when."""
from ming import schema as S
from ming.odm import FieldProperty, MappedClass

from .session import new_id, session, utcnow


class AuditEntry(MappedClass):
    class __mongometa__:
        session = session
        name = "audit_log"
        indexes = [("node_id", "timestamp"), ("project_id", "timestamp")]

    _id = FieldProperty(str, if_missing=new_id)
    node_id = FieldProperty(str, if_missing=None)
    node_kind = FieldProperty(str)          # "site", "project", "tool", "artifact"
    project_id = FieldProperty(str, if_missing=None)
    actor_id = FieldProperty(str, if_missing=None)
    timestamp = FieldProperty(S.DateTime, if_missing=utcnow)
    action = FieldProperty(str)             # "acl.add", "acl.remove", "role.add-member", ...
    summary = FieldProperty(str)            # one human-readable line
    detail = FieldProperty({str: S.Anything})
