"""Files only where the forge takes files.

A multipart body can make any form field a file: WebOb then hands the view a
``cgi.FieldStorage`` where it reads text, and ``.strip()``, ``.replace()`` or
``len()`` fail with a 500.  The forge takes files in one field,
``attachment`` (``forge.attachments.views.uploads_from``), so a file under
any other name is refused with a 400 by the forge tween
(``forge.tweens.check_form_body``), before any view (or the CSRF check) reads
the form.
"""
UPLOAD_FIELDS = frozenset({"attachment"})


def misplaced_files(post):
    """The names of ``post`` fields that carry a file but take text."""
    return sorted({name for name, value in post.items()
                   if not isinstance(value, str) and name not in UPLOAD_FIELDS})
