"""Serving and managing attachments under any artifact's URL.

``{artifact}/@@attachment/{id}/{filename}`` streams the bytes (``read`` on the
artifact): images recognised by their bytes inline, everything else as an
``application/octet-stream`` download, always with ``nosniff`` and a sandboxing
Content-Security-Policy, so an uploaded HTML or SVG file never runs script in
the forge's origin.  ``@@attach`` and ``@@attachment-delete`` (``update``) add
and remove the artifact's own files.
"""
from urllib.parse import quote

from pyramid.httpexceptions import HTTPNotFound
from pyramid.response import Response
from pyramid.view import view_config

from ..actions import ActionError
from ..interfaces import IArtifact
from ..model import session
from ..redirects import redirect
from .actions import attach_files, delete_attachment, get_attachment, open_file
from .files import CHUNK, INLINE_TYPES

CSP = "sandbox; default-src 'none'"
# the longest file name a message repeats
MAX_NAME_SHOWN = 80


def attachment_url(request, node, attachment):
    return request.forge_url(node, "@@attachment", attachment._id, attachment.filename)


def content_disposition(kind, filename):
    fallback = "".join(c if 32 <= ord(c) < 127 and c not in '"\\;' else "_" for c in filename)
    return "%s; filename=\"%s\"; filename*=UTF-8''%s" % (kind, fallback, quote(filename, safe=""))


def _post_visible(request, context, attachment):
    """A post's file is served only while the post is: pending, spam or
    deleted posts' files only to their author and moderators."""
    post = session.db["post"].find_one({"_id": attachment.post_id},
                                       {"status": 1, "deleted": 1, "author_id": 1})
    if post is None:
        return False
    if post.get("status", "ok") == "ok" and not post.get("deleted"):
        return True
    user = request.user
    if user is not None and post.get("author_id") == user._id and not post.get("deleted"):
        return True
    return request.can("moderate", context)


def _chunks(grid_out):
    try:
        while True:
            data = grid_out.read(CHUNK)
            if not data:
                break
            yield data
    finally:
        grid_out.close()


@view_config(context=IArtifact, name="attachment", permission="read",
             request_method=("GET", "HEAD"))
def download(context, request):
    if not request.subpath:
        raise HTTPNotFound()
    attachment = get_attachment(context.doc._id, request.subpath[0])
    if attachment is None or (attachment.post_id and
                              not _post_visible(request, context, attachment)):
        raise HTTPNotFound()
    inline = attachment.content_type in INLINE_TYPES
    response = Response(content_type=attachment.content_type if inline
                        else "application/octet-stream")
    response.headers["Content-Disposition"] = content_disposition(
        "inline" if inline else "attachment", attachment.filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = CSP
    response.headers["Cache-Control"] = "private, max-age=300"
    response.content_length = attachment.length
    if request.method == "HEAD":
        return response
    response.app_iter = _chunks(open_file(attachment))
    response.content_length = attachment.length      # (setting app_iter cleared it)
    return response


def uploads_from(request, field="attachment"):
    """[(filename, fileobj, content_type)] of the non-empty file fields named ``field``."""
    uploads = []
    for item in request.POST.getall(field):
        if getattr(item, "filename", None) and getattr(item, "file", None) is not None:
            uploads.append((item.filename, item.file, item.type))
    return uploads


def shortened(filename, most=MAX_NAME_SHOWN):
    """``filename`` cut in the middle to at most ``most`` characters, so that
    its extension stays visible."""
    if len(filename) <= most:
        return filename
    stem, dot, extension = filename.rpartition(".")
    tail = dot + extension if stem and len(extension) < 12 else ""
    return filename[:most - len(tail) - 1] + "…" + tail


def attached_message(saved):
    """The flash after an upload: bounded whatever was uploaded (the session
    keeps it until the next page; a list of names could be kilobytes)."""
    if len(saved) == 1:
        return "Attached %s." % shortened(saved[0].filename)
    return "Attached %d files." % len(saved)


def back_to(request, context):
    return redirect(request, request.forge_url(context) + "#attachments")


@view_config(context=IArtifact, name="attach", permission="update", request_method="POST")
def attach(context, request):
    saved = attach_files(request.registry, context.doc, uploads_from(request), request.user)
    request.session.flash(attached_message(saved))
    return back_to(request, context)


@view_config(context=IArtifact, name="attachment-delete", permission="update",
             request_method="POST")
def remove(context, request):
    attachment = get_attachment(context.doc._id, request.POST.get("attachment_id", ""))
    if attachment is None or attachment.post_id:
        raise ActionError("There is no such attachment here.")
    delete_attachment(request.registry, attachment, request.user, artifact_doc=context.doc)
    request.session.flash("Removed %s." % shortened(attachment.filename))
    return back_to(request, context)
