"""What mail in keeps: one ``InboundMail`` per applied message, and the raw
message in the GridFS bucket ``mail_in`` (for audit and re-processing).

An ``InboundMail`` is the node of the ``mail.received`` event: it names the
sender, the address it came to, the user it was applied as, and what it made
(the post or the artifact).  Refused messages are not kept (they were
refused at SMTP time: the sending server holds them, and a spammer cannot
fill the database).
"""
import io

import gridfs
from ming import schema as S
from ming.odm import FieldProperty, MappedClass

from ..model.cache import not_on_pages
from ..model.session import new_id, session, utcnow

BUCKET = "mail_in"


@not_on_pages
class InboundMail(MappedClass):
    class __mongometa__:
        session = session
        name = "inbound_mail"
        indexes = [("sender", "created"), ("project_id", "created"),
                   ("recipient", "message_id")]

    _id = FieldProperty(str, if_missing=new_id)
    kind = FieldProperty(str)            # reply | new
    sender = FieldProperty(str)          # the From address
    envelope_from = FieldProperty(str)
    recipient = FieldProperty(str)       # the address it came to (lower case)
    message_id = FieldProperty(str, if_missing="")
    subject = FieldProperty(str, if_missing="")
    user_id = FieldProperty(str)         # applied as this user
    project_id = FieldProperty(str, if_missing=None)
    tool_id = FieldProperty(str, if_missing=None)
    artifact_id = FieldProperty(str, if_missing=None)   # replied to, or created
    post_id = FieldProperty(str, if_missing=None)       # the post it made
    raw_file_id = FieldProperty(str, if_missing=None)
    length = FieldProperty(int)
    created = FieldProperty(S.DateTime, if_missing=utcnow)


def raw_bucket():
    return gridfs.GridFSBucket(session.db, bucket_name=BUCKET)


def store_raw(raw, filename):
    """Keep the message's bytes; returns the (string) file id."""
    file_id = new_id()
    raw_bucket().upload_from_stream_with_id(file_id, filename, io.BytesIO(raw))
    return file_id


def delete_raw(file_id):
    try:
        raw_bucket().delete(file_id)
    except gridfs.errors.NoFile:
        pass


def read_raw(file_id):
    return raw_bucket().open_download_stream(file_id).read()
