"""Files only where the forge takes files.

A multipart body can make any form field a file: WebOb then hands the view a
``cgi.FieldStorage`` where it reads text, and ``.strip()``, ``.replace()`` or
``len()`` fail with a 500.  The forge takes files in one field,
``attachment`` (``forge.attachments.views.uploads_from``), so a file under
any other name is refused here with a 400, before any view (or the CSRF
check) reads the form.  The tween sits under ``forge.tweens`` (which has
already refused a malformed multipart body).
"""
from pyramid.httpexceptions import HTTPBadRequest
from pyramid.tweens import MAIN

UPLOAD_FIELDS = frozenset({"attachment"})


def misplaced_files(post):
    """The names of ``post`` fields that carry a file but take text."""
    return sorted({name for name, value in post.items()
                   if not isinstance(value, str) and name not in UPLOAD_FIELDS})


def upload_fields_tween_factory(handler, registry):
    def upload_fields_tween(request):
        if request.content_type == "multipart/form-data" and misplaced_files(request.POST):
            # the message names no field: field names are the client's body
            raise HTTPBadRequest("The form sent a file in a field that takes text; "
                                 "files go in the attachment field only.")
        return handler(request)

    return upload_fields_tween


def includeme(config):
    config.add_tween("forge.upload_fields.upload_fields_tween_factory", over=MAIN,
                     under="forge.tweens.forge_tween_factory")
