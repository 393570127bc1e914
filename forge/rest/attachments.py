"""An artifact's own attachments under ``/rest``: ``@@attachments``.

GET lists them (oldest first; a post's files are listed with its comment in
``@@comments``); each has a ``download_url``, the web page's
``@@attachment/ID/NAME``, which takes the API token too and serves the bytes
with its content-type rules (only sniffed images inline, everything else a
download, ``nosniff`` and a sandboxing CSP).  POST uploads files as the page's
"Attach" form does: ``multipart/form-data`` with one or more ``attachment``
file fields, ``update`` on the artifact, through ``attach_files`` (the size
limit, audit entry and event included): 201 with the files saved.
"""
from pyramid.view import view_config, view_defaults

from ..artifact_types import ITypedArtifact
from ..attachments import attach_files, attachments_of
from ..attachments.views import uploads_from
from ..redirects import created_at
from ..user_lookup import usernames
from .csrf import REST_VIEW
from .nodes import ROUTE, iso_time, rest_url
from .problems import Problem
from .responses import json_response

MULTIPART = "multipart/form-data"


def attachment_json(request, node, attachment, names):
    return {"id": attachment._id, "filename": attachment.filename,
            "content_type": attachment.content_type, "length": attachment.length,
            "created": iso_time(attachment.created), "author": names.get(attachment.author_id),
            "download_url": request.attachment_url(node, attachment)}


@view_defaults(**REST_VIEW, route_name=ROUTE, context=ITypedArtifact, name="attachments")
class AttachmentViews:
    def __init__(self, context, request):
        self.context, self.request = context, request

    def listing(self, attachments):
        names = usernames(a.author_id for a in attachments)
        return [attachment_json(self.request, self.context, a, names) for a in attachments]

    @view_config(request_method="GET", permission="read")
    def list(self):
        attachments = attachments_of(self.context.doc._id)
        return json_response(self.request, {"items": self.listing(attachments),
                                            "next": None})

    @view_config(request_method="POST", permission="update")
    def upload(self):
        request, node = self.request, self.context
        if request.content_type != MULTIPART:
            raise Problem(415, "Unsupported media type",
                          "Upload files as multipart/form-data, in fields named "
                          "'attachment'.")
        saved = attach_files(request.registry, node.doc, uploads_from(request), request.user,
                             source="rest")
        response = json_response(request, {"items": self.listing(saved), "next": None},
                                 status=201)
        return created_at(request, response, rest_url(request, node, "@@attachments"))
