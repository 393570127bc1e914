"""Safe file names, server-chosen content types, bounded reads, the GridFS bucket.

The content type a browser gets decides whether an upload can run script in
the forge's origin, so the server chooses it: only PNG, JPEG, GIF and WebP
recognised *by their first bytes* are ever served inline; everything else
(HTML, SVG, a ``.png`` that is really HTML) is served as
``application/octet-stream`` with ``Content-Disposition: attachment``.  The
type recorded for other files (from the extension, out of a short allow-list)
only labels them in lists.
"""
import mimetypes
import os
import re
import tempfile
import unicodedata

import gridfs

from ..model.session import session

BUCKET = "attachments"
CHUNK = 256 * 1024
# uploads bigger than this go to a temporary file while they are checked
SPOOL_BYTES = 1024 * 1024
MAX_FILENAME = 200
DEFAULT_MAX_BYTES = 10 * 1024 * 1024

INLINE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
# informative types recorded from an extension (never served as such)
LABEL_TYPES = frozenset({
    "text/plain", "text/csv", "text/markdown", "text/x-diff", "text/x-python",
    "application/json", "application/pdf", "application/zip", "application/gzip",
    "application/x-tar", "application/xml", "text/html", "image/svg+xml",
    "application/octet-stream",
})
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def safe_filename(name):
    """The last path segment of ``name`` without control characters, at most
    ``MAX_FILENAME`` characters (the extension kept); never empty."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    name = _CONTROL.sub("", name).strip().strip(".").strip()
    if len(name) > MAX_FILENAME:
        stem, ext = os.path.splitext(name)
        ext = ext[:20]
        name = stem[:MAX_FILENAME - len(ext)] + ext
    return name or "attachment"


def sniff_image(head):
    """The image type the first bytes announce, or None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def content_type_for(filename, head):
    """The type to record: a sniffed image type, else the extension's type if
    it is on the label allow-list, else ``application/octet-stream``."""
    sniffed = sniff_image(head)
    if sniffed:
        return sniffed
    guessed = mimetypes.guess_type(filename, strict=False)[0]
    if guessed in LABEL_TYPES and guessed not in INLINE_TYPES:
        return guessed
    if guessed and guessed.startswith("text/"):
        return "text/plain"
    return "application/octet-stream"


def read_limited(fileobj, max_bytes):
    """Copy ``fileobj`` into a spooled temporary file, reading at most
    ``max_bytes + 1`` bytes; return (file at position 0, length) or
    (None, length) when the upload is larger than ``max_bytes``."""
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    length = 0
    while True:
        chunk = fileobj.read(min(CHUNK, max_bytes + 1 - length))
        if not chunk:
            break
        length += len(chunk)
        if length > max_bytes:
            spool.close()
            return None, length
        spool.write(chunk)
    spool.seek(0)
    return spool, length


def bucket():
    """The GridFS bucket of the bound database (``mim://`` or a real server)."""
    return gridfs.GridFSBucket(session.db, bucket_name=BUCKET)


def human_size(length):
    """``10 MiB``, ``512 KiB``, ``12 bytes``."""
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if length >= size:
            value = length / size
            return ("%d %s" if value == int(value) else "%.1f %s") % (value, unit)
    return "%d bytes" % length


def max_bytes(settings):
    return int(settings.get("forge.attachments.max_bytes", DEFAULT_MAX_BYTES))
