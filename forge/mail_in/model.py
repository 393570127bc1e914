"""What mail in keeps: one ``InboundMail`` per applied message, and the raw
message in the GridFS bucket ``mail_in`` (for audit and re-processing).

An ``InboundMail`` is the node of the ``mail.received`` event: it names the
sender, the address it came to, the user it was applied as, and what it made
(the post or the artifact).  Refused messages are not kept (they were
refused at SMTP time: the sending server holds them, and a spammer cannot
fill the database).  Both are pruned after ``forge.mail_in.keep_days``
(``forge.mail_in.pruning``).

The raw message is written in GridFS's own layout (``mail_in.chunks`` then
``mail_in.files``) with two inserts, rather than through pymongo's
``GridFSBucket``, whose every upload checks both collections' indexes
(four more round trips per message); the indexes are made once per process
and database.  Any GridFS reader (``read_raw``) reads it back.  A message of
at most ``INLINE_RAW_BYTES`` (most mail) is kept in its ``InboundMail``
itself (``raw``), which saves both inserts; ``raw_message(record)`` reads a
record's message wherever it is.
"""
import threading

import gridfs
from bson import Binary, ObjectId
from ming import schema as S
from ming.odm import FieldProperty, MappedClass

from ..model.cache import not_on_pages
from ..model.session import new_id, session, utcnow

BUCKET = "mail_in"
CHUNK_BYTES = 255 * 1024        # GridFS's default chunk size
INLINE_RAW_BYTES = 64 * 1024    # at most this long: in the record, not in GridFS


@not_on_pages
class InboundMail(MappedClass):
    class __mongometa__:
        session = session
        name = "inbound_mail"
        indexes = [("sender", "created"), ("project_id", "created"),
                   ("recipient", "message_id"), ("created",), ("tool_id", "status")]

    _id = FieldProperty(str, if_missing=new_id)
    kind = FieldProperty(str)            # reply | comment (an artifact's address) | new
    status = FieldProperty(str, if_missing="applied")     # applied | held (for a moderator)
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
    raw_file_id = FieldProperty(str, if_missing=None)     # in GridFS, or
    raw = FieldProperty(S.Binary, if_missing=None)        # here (INLINE_RAW_BYTES)
    length = FieldProperty(int)
    # a reprocess (forge.mail_in.reprocess): the record it applied again, and
    # in that one, the record that replaced it
    reprocessed_from = FieldProperty(str, if_missing=None)
    replaced_by = FieldProperty(str, if_missing=None)
    created = FieldProperty(S.DateTime, if_missing=utcnow)


class _BucketIndexes:
    """The databases whose ``mail_in`` bucket indexes this process has made."""

    def __init__(self):
        self.done = set()
        self.lock = threading.Lock()

    def ensure(self, db):
        key = (id(db.client), db.name)
        if key in self.done:
            return
        with self.lock:
            if key not in self.done:
                # the indexes GridFS itself would make (its readers use them)
                db[BUCKET + ".files"].create_index([("filename", 1), ("uploadDate", 1)])
                db[BUCKET + ".chunks"].create_index([("files_id", 1), ("n", 1)], unique=True)
                self.done.add(key)


_indexes = _BucketIndexes()


def raw_bucket():
    return gridfs.GridFSBucket(session.db, bucket_name=BUCKET)


def store_raw(raw, filename):
    """Keep the message's bytes; returns the (string) file id."""
    db = session.db
    _indexes.ensure(db)
    file_id = new_id()
    chunks = [{"_id": ObjectId(), "files_id": file_id, "n": number,
               "data": Binary(raw[start:start + CHUNK_BYTES])}
              for number, start in enumerate(range(0, len(raw), CHUNK_BYTES))]
    if chunks:
        db[BUCKET + ".chunks"].insert_many(chunks, ordered=True)
    db[BUCKET + ".files"].insert_one({"_id": file_id, "length": len(raw),
                                      "chunkSize": CHUNK_BYTES, "uploadDate": utcnow(),
                                      "filename": filename})
    return file_id


def keep_raw(raw, filename):
    """Where to keep a message: ``(file_id, None)`` once it is in GridFS, or
    ``(None, inline)`` for the record's ``raw`` when it is short."""
    if len(raw) <= INLINE_RAW_BYTES:
        return None, Binary(raw)
    return store_raw(raw, filename), None


def raw_message(record):
    """The bytes of an ``InboundMail``'s message (inline or in GridFS)."""
    if record.raw_file_id:
        return read_raw(record.raw_file_id)
    return bytes(record.raw) if record.raw is not None else b""


def delete_raw(file_id):
    if not file_id:
        return          # kept inline: goes with its record
    try:
        raw_bucket().delete(file_id)
    except gridfs.errors.NoFile:
        pass


def read_raw(file_id):
    return raw_bucket().open_download_stream(file_id).read()
