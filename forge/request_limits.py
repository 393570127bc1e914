"""Bounds on what a request body may be, checked before any view parses it.

Three layers, so that a hostile body costs neither time nor memory:

* the HTTP server refuses a ``Content-Length`` over ``server_body_limit``
  before it reads a byte of the body (``forge serve`` and the INI files set
  waitress's ``max_request_body_size`` from it; waitress answers 413 and
  closes the connection);
* the tween refuses a body over the limit of its kind (forms:
  ``forge.max_body_bytes``; uploads: the attachment limit), and a form that is
  not UTF-8;
* ``check_multipart`` refuses a ``multipart/form-data`` body that WebOb's
  parser would choke on or that is built to be expensive: a missing or
  malformed boundary, more than ``MAX_PARTS`` parts, part headers over
  ``MAX_PART_HEADER_BYTES``, text fields over ``forge.max_body_bytes``, a
  body that is not closed.

Messages never quote the body or the boundary: they end up in pages and logs.
"""
import re
from email.message import Message
from urllib.parse import unquote_to_bytes

from pyramid.httpexceptions import HTTPBadRequest, HTTPRequestEntityTooLarge

MAX_PARTS = 256
MAX_PART_HEADER_BYTES = 8 * 1024
# room for the other fields of a form that carries a file of the attachment limit
UPLOAD_SLACK_BYTES = 256 * 1024
# RFC 2046: 1 to 70 characters, not ending in a space; its alphabet is narrower,
# but clients (WebTest's '$') go beyond it, and WebOb's parser takes printable ASCII
_BOUNDARY = re.compile(r"[ -~]{0,69}[!-~]")
_FILENAME = re.compile(rb"\bfilename\*?\s*=", re.IGNORECASE)


def server_body_limit(settings):
    """The largest body any request may carry: what the HTTP server is told."""
    return max(settings["forge.max_body_bytes"],
               int(settings["forge.attachments.max_bytes"]) + UPLOAD_SLACK_BYTES)


def waitress_body_limit(settings):
    """waitress's ``max_request_body_size`` for these settings: it refuses a
    body of that size or more, so one byte over ``server_body_limit``."""
    return server_body_limit(settings) + 1


def check_form_encoding(body):
    """Raise ``UnicodeDecodeError`` (answered with a 400) for a form body that is
    not UTF-8: WebOb would quietly store U+FFFD in place of the bad bytes."""
    for pair in body.split(b"&"):
        unquote_to_bytes(pair.replace(b"+", b" ")).decode("utf-8")


def multipart_boundary(content_type_header):
    """The boundary of a ``multipart/form-data`` Content-Type, or a 400."""
    header = Message()
    header["Content-Type"] = content_type_header
    boundary = header.get_param("boundary")
    if not isinstance(boundary, str) or not boundary:
        raise HTTPBadRequest("The upload form has no multipart boundary.")
    if not _BOUNDARY.fullmatch(boundary):
        raise HTTPBadRequest("The multipart boundary of the upload form is not valid "
                             "(1 to 70 printable ASCII characters).")
    return boundary.encode("ascii")


def check_multipart(content_type_header, body, field_limit):
    """Walk the parts of a ``multipart/form-data`` body without decoding them;
    raise a 400 or 413 (with a message) for the first thing out of bounds."""
    delimiter = b"--" + multipart_boundary(content_type_header)
    position = body.find(delimiter)
    if position < 0 or (position > 0 and body[position - 2:position] != b"\r\n"):
        raise _malformed("it has no part")
    parts = text_bytes = 0
    while True:
        position += len(delimiter)
        if body.startswith(b"--", position):
            return parts
        line_end = body.find(b"\r\n", position)
        if line_end < 0 or body[position:line_end].strip(b" \t"):
            raise _malformed("a boundary line is broken, or the body was cut short")
        parts += 1
        if parts > MAX_PARTS:
            raise HTTPRequestEntityTooLarge(
                "The form has more than %d fields and files." % MAX_PARTS)
        headers_end = body.find(b"\r\n\r\n", line_end)
        if headers_end < 0:
            raise _malformed("a part's headers do not end")
        if headers_end - line_end > MAX_PART_HEADER_BYTES:
            raise HTTPBadRequest("A part of the upload form has headers over %d KiB."
                                 % (MAX_PART_HEADER_BYTES // 1024))
        content_start = headers_end + 4
        next_delimiter = body.find(b"\r\n" + delimiter, content_start)
        if next_delimiter < 0:
            raise _malformed("it is not closed (the body was cut short)")
        if not _FILENAME.search(body[line_end:headers_end]):
            text_bytes += next_delimiter - content_start
            if text_bytes > field_limit:
                raise HTTPRequestEntityTooLarge(
                    "The form's text fields are larger than the limit of %d KiB."
                    % (field_limit // 1024))
        position = next_delimiter + 2


def _malformed(why):
    return HTTPBadRequest("The upload form is not valid multipart data: %s." % why)
