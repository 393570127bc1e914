"""What a REST write sends: a JSON object body, and the version it edits.

A body must be ``application/json`` (``application/merge-patch+json`` too for
PATCH), valid UTF-8 JSON, an object, and nested at most ``MAX_DEPTH`` deep;
anything else is a 4xx problem before any change is attempted.  The size is
bounded earlier, by the forge tween (``forge.max_body_bytes``, 413).

Optimistic concurrency in HTTP terms: a node's ``ETag`` is its version
(``"3"``); a write to an existing node must send it back in ``If-Match``
(428 without one, 412 with a stale one, and the current version in the
problem and its ``ETag`` header), so a script never overwrites a change it
has not seen.
"""
import json

from .problems import Problem

JSON_TYPES = ("application/json",)
PATCH_TYPES = ("application/json", "application/merge-patch+json")
#: objects and arrays nested deeper than this are refused (a form is flat)
MAX_DEPTH = 8


def json_body(request):
    """The request's JSON object (a dict), or a Problem."""
    allowed = PATCH_TYPES if request.method == "PATCH" else JSON_TYPES
    if request.content_type not in allowed:
        raise Problem(415, "Unsupported media type",
                      "Send the body as %s." % " or ".join(allowed),
                      headers={"Accept-Patch" if request.method == "PATCH" else "Accept-Post":
                               ", ".join(allowed)})
    if (request.charset or "utf-8").lower() not in ("utf-8", "utf8"):
        raise Problem(415, "Unsupported media type", "Send the JSON body in UTF-8.")
    try:
        text = request.body.decode("utf-8")
    except UnicodeDecodeError:
        raise Problem(400, "Malformed JSON", "The body is not valid UTF-8.") from None
    if not _shallow_enough(text):
        raise Problem(400, "Malformed JSON",
                      "The body is nested more than %d levels deep." % MAX_DEPTH)
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as e:
        detail = "The body is not valid JSON"
        if isinstance(e, json.JSONDecodeError):
            detail += " (line %d, column %d: %s)" % (e.lineno, e.colno, e.msg)
        raise Problem(400, "Malformed JSON", detail + ".") from None
    if not isinstance(data, dict):
        raise Problem(400, "Malformed JSON", "The body must be a JSON object.")
    return data


def _refuse_constant(name):
    raise ValueError("%s is not JSON" % name)


def _shallow_enough(text):
    """Whether brackets outside strings nest at most MAX_DEPTH deep (checked
    before parsing, so a body of 100,000 '[' costs a scan, not a recursion)."""
    depth, in_string, escaped = 0, False, False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return False
        elif char in "]}":
            depth -= 1
    return True


def etag(version):
    return '"%d"' % version


def required_version(request, current):
    """The version ``If-Match`` names, which must be ``current``: 428 without
    one, 412 (with the current ETag) when it is another."""
    header = request.headers.get("If-Match")
    if header is None:
        raise Problem(428, "Precondition required",
                      "Send the version you edited in If-Match (the ETag of your GET); "
                      "the current one is %s." % etag(current),
                      headers={"ETag": etag(current)}, current_version=current)
    tags = [t.strip() for t in header.split(",")]
    if "*" in tags:
        return current
    for tag in tags:
        if tag.startswith("W/"):
            tag = tag[2:]
        if tag == etag(current):
            return current
    raise Problem(412, "Precondition failed",
                  "The node is at version %d; your If-Match does not name it, so nothing "
                  "was saved. GET it again and reapply your change." % current,
                  headers={"ETag": etag(current)}, current_version=current)


def not_modified(request, tag):
    """Whether a conditional GET's ``If-None-Match`` names ``tag``."""
    header = request.headers.get("If-None-Match")
    if not header:
        return False
    tags = [t.strip() for t in header.split(",")]
    return "*" in tags or tag in tags or ("W/" + tag) in tags
