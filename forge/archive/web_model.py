"""An export a project admin asked for on ``@@export``: made by a worker,
downloadable by that admin only, until it expires a day after it was made."""
from ming import schema as S
from ming.odm import FieldProperty, MappedClass

from ..events import ForgeEvent
from ..model.session import new_id, session, utcnow


class ArchiveExport(MappedClass):
    class __mongometa__:
        session = session
        name = "archive_export"
        indexes = [("project_id", "user_id")]

    _id = FieldProperty(str, if_missing=new_id)
    project_id = FieldProperty(str)
    user_id = FieldProperty(str)
    status = FieldProperty(str, if_missing="queued")    # running, ready, failed
    created = FieldProperty(S.DateTime, if_missing=utcnow)
    finished = FieldProperty(S.DateTime, if_missing=None)
    expires = FieldProperty(S.DateTime, if_missing=None)
    records = FieldProperty(int, if_missing=0)
    error = FieldProperty(str, if_missing="")


class ExportRequested(ForgeEvent):
    """Its node is the ``ArchiveExport`` (not the project: a project event would
    have the search reactor re-index the project)."""

    topic = "archive.export.requested"
