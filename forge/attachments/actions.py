"""Saving, listing and deleting attachments.

``save_attachment`` is the primitive every tool uses (the comment threads call
it for a post's files); ``attach_files`` is the whole change behind an
artifact's ``@@attach`` form: auditors on ``{type}.updated``, the files, an
audit entry and an ``ArtifactModified`` event whose detail names the files.
"""
import uuid

from ..actions import ActionError
from ..unit_of_work import change
from ..events import ArtifactModified
from ..model import session
from ..model.session import set_fields
from .files import bucket, content_type_for, human_size, max_bytes, read_limited, safe_filename
from .model import Attachment

MAX_FILES = 20


class AttachmentTooLarge(ActionError):
    """An upload over ``forge.attachments.max_bytes`` (413, naming the limit)."""

    status = 413

    def __init__(self, limit):
        super().__init__("The file is larger than the %s limit." % human_size(limit))
        self.limit = limit


def save_attachment(registry, artifact_doc, filename, fileobj, content_type, actor,
                    post_id=None):
    """Store ``fileobj`` in GridFS and record it under ``artifact_doc``.

    Reads the upload in chunks and stops after the limit (``AttachmentTooLarge``,
    nothing stored).  ``content_type`` (the client's claim) is ignored: the server
    chooses the type from the bytes and the name.  The ``Attachment`` is flushed
    before returning, so callers may use it whatever they flush themselves.
    """
    del content_type     # never trusted; see forge.attachments.files
    limit = max_bytes(registry.settings)
    if fileobj is None:
        raise ActionError("Choose a file to attach.")
    spool, length = read_limited(fileobj, limit)
    if spool is None:
        raise AttachmentTooLarge(limit)
    name = safe_filename(filename)
    try:
        head = spool.read(16)
        spool.seek(0)
        file_id = uuid.uuid4().hex
        bucket().upload_from_stream_with_id(file_id, name, spool)
    finally:
        spool.close()
    attachment = Attachment(
        project_id=artifact_doc.project_id, tool_id=artifact_doc.tool_id,
        artifact_id=artifact_doc._id, post_id=post_id, filename=name,
        content_type=content_type_for(name, head), length=length, file_id=file_id,
        author_id=actor._id if actor is not None else None)
    session.flush(attachment)
    return attachment


def attachments_of(artifact_id, post_id=None):
    """The artifact's own attachments (``post_id`` None) or one post's, oldest first."""
    return [a for a in _live(artifact_id) if a.post_id == post_id]


def attachments_by_post(artifact_id):
    """{post_id: [Attachment]} for every post of the artifact, in one query."""
    grouped = {}
    for attachment in _live(artifact_id):
        if attachment.post_id is not None:
            grouped.setdefault(attachment.post_id, []).append(attachment)
    return grouped


def _live(artifact_id):
    # one indexed query; attachments per artifact are few, so post_id is
    # compared here rather than matched (None equality is a scan on some servers)
    return Attachment.query.find({"artifact_id": artifact_id, "deleted": False}).sort(
        "created", 1).all()


def get_attachment(artifact_id, attachment_id):
    """The live attachment ``attachment_id`` of this artifact, or None."""
    attachment = Attachment.query.get(_id=str(attachment_id))
    if attachment is None or attachment.deleted or attachment.artifact_id != artifact_id:
        return None
    return attachment


def attach_files(registry, artifact_doc, uploads, actor, source="web"):
    """Attach ``uploads`` [(filename, fileobj, content_type)] to the artifact itself."""
    uploads = [u for u in uploads if u[1] is not None]
    if not uploads:
        raise ActionError("Choose a file to attach.")
    if len(uploads) > MAX_FILES:
        raise ActionError("Attach at most %d files at once." % MAX_FILES)
    names = [safe_filename(u[0]) for u in uploads]
    with change(registry, ArtifactModified, node=artifact_doc, old={},
                new={"attachments": names}, actor=actor, source=source,
                action="attachment.add") as ch:
        saved = [save_attachment(registry, artifact_doc, name, fileobj, content_type, actor)
                 for (_name, fileobj, content_type), name in zip(uploads, names)]
        ch.log("attachment.add", "attached %s" % ", ".join(a.filename for a in saved),
               path=artifact_doc.path)
        ch.event_detail["attachments"] = [a.filename for a in saved]
    return saved


def delete_attachment(registry, attachment, actor, artifact_doc=None, source="web"):
    """Mark the attachment deleted (the bytes stay, for the audit trail); with
    ``artifact_doc``, run its auditors, log and announce it as a change of the
    artifact (without, the post it belongs to is the change: no event)."""
    if artifact_doc is None:
        with change(registry, None, node=attachment, actor=actor, source=source,
                    new={"deleted": True}):
            set_fields(attachment, deleted=True)
        return attachment
    with change(registry, ArtifactModified, node=artifact_doc, old={},
                new={"deleted_attachment": attachment.filename}, actor=actor, source=source,
                action="attachment.delete") as ch:
        set_fields(attachment, deleted=True)
        ch.log("attachment.delete", "removed attachment %s" % attachment.filename,
               path=artifact_doc.path)
        ch.event_detail["deleted_attachment"] = attachment.filename
    return attachment


def open_file(attachment):
    """A GridOut to stream the bytes from."""
    return bucket().open_download_stream(attachment.file_id)
