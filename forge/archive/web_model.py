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


class ArchiveImport(MappedClass):
    """An archive a site admin uploaded on ``@@admin-import``: ``checked`` (the
    dry run passed; waiting for the admin to confirm), then ``queued``,
    ``running``, ``done`` or ``failed`` in the worker."""

    class __mongometa__:
        session = session
        name = "archive_import"
        indexes = [("created",)]

    _id = FieldProperty(str, if_missing=new_id)
    user_id = FieldProperty(str)
    filename = FieldProperty(str, if_missing="")
    options = FieldProperty(S.Anything, if_missing=dict)     # as_path, parent_path, users
    plan = FieldProperty(S.Anything, if_missing=dict)        # what the dry run said
    status = FieldProperty(str, if_missing="checked")
    created = FieldProperty(S.DateTime, if_missing=utcnow)
    finished = FieldProperty(S.DateTime, if_missing=None)
    done = FieldProperty(int, if_missing=0)                  # records written so far
    total = FieldProperty(int, if_missing=0)
    path = FieldProperty(str, if_missing="")                 # "/p/name/" once imported
    error = FieldProperty(str, if_missing="")


class ImportRequested(ForgeEvent):
    """Its node is the ``ArchiveImport`` (the worker's import then emits
    ``project.imported`` for the new project)."""

    topic = "archive.import.requested"
