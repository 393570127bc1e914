"""The ``Attachment`` document: metadata of a file stored in GridFS.

The bytes live in the GridFS bucket ``attachments`` under a string id
(``file_id``): nx-27017 cannot match ObjectIds stored in ordinary fields, and
GridFS finds chunks by ``files_id``.  ``artifact_id`` names the artifact whose
``read`` guards the file and under whose URL it is served; ``post_id`` the
comment it belongs to, if any.
"""
from ming import schema as S
from ming.odm import FieldProperty, MappedClass

from ..model.session import new_id, session, utcnow


class Attachment(MappedClass):
    class __mongometa__:
        session = session
        name = "attachment"
        indexes = [("artifact_id", "deleted", "created")]

    _id = FieldProperty(str, if_missing=new_id)
    project_id = FieldProperty(str, if_missing=None)
    tool_id = FieldProperty(str, if_missing=None)
    artifact_id = FieldProperty(str)
    post_id = FieldProperty(str, if_missing=None)
    filename = FieldProperty(str)
    content_type = FieldProperty(str)
    length = FieldProperty(int)
    file_id = FieldProperty(str)
    author_id = FieldProperty(str, if_missing=None)
    created = FieldProperty(S.DateTime, if_missing=utcnow)
    deleted = FieldProperty(bool, if_missing=False)

    @property
    def inline(self):
        """Served inline (only images the server recognised by their bytes)."""
        from .files import INLINE_TYPES
        return self.content_type in INLINE_TYPES
