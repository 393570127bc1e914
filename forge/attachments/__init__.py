"""Attachments: files stored in GridFS under an artifact (and optionally a post).

::

    from forge.attachments import save_attachment, attachments_of
    attachment = save_attachment(registry, page_doc, "shot.png", fileobj, None, user)

Templates list them with ``{% include "forge:templates/attachments/list.jinja2" %}`` (variables
``attachments`` and ``node``).  See ``files`` for the content-type rules.
"""
from .actions import (  # noqa: F401
    AttachmentTooLarge, attach_files, attachments_by_post, attachments_of, delete_attachment,
    get_attachment, save_attachment)
from .files import human_size, max_bytes  # noqa: F401
from .model import Attachment  # noqa: F401
from .views import attachment_url  # noqa: F401
from ..request_limits import server_body_limit


def request_body_limit(settings, request):
    """(limit, message) for the tween: a multipart upload may carry a file up
    to the attachment limit (plus room for the other form fields), and is told
    that limit when it is over; None for other requests (the tween's own)."""
    if request.content_type != "multipart/form-data":
        return None
    return server_body_limit(settings), AttachmentTooLarge(max_bytes(settings)).args[0]


def includeme(config):
    config.add_request_method(attachment_url, "attachment_url")
    config.scan(".views")
