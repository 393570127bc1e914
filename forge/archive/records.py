"""Records as JSON: one stored document per line, lossless for what Ming stores.

Values JSON has no type for are tagged the way MongoDB's Extended JSON tags
them, so a record reads back exactly: ``{"$date": "2026-12-02T20:44:26.123000"}``
(naive UTC, as pymongo returns it), ``{"$oid": "..."}``, ``{"$binary": base64}``.
"""
import base64
import datetime
import json
import re

from bson import ObjectId

# every id the forge makes: ObjectId hex strings (``new_id``) and uuid4 hex
# strings (event ids, which activity entries use as their ``_id``)
ID_TOKEN = re.compile(r"(?<![0-9a-f])(?:[0-9a-f]{32}|[0-9a-f]{24})(?![0-9a-f])")
OBJECT_ID = re.compile(r"^[0-9a-f]{24}$")


def encode(value):
    """``value`` (a stored document or part of one) as plain JSON types."""
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
        return {"$date": value.isoformat()}
    if isinstance(value, ObjectId):
        return {"$oid": str(value)}
    if isinstance(value, bytes):
        return {"$binary": base64.b64encode(value).decode("ascii")}
    return value


def decode(value):
    """The inverse of ``encode``; raises ValueError on a malformed tag."""
    if isinstance(value, dict):
        if len(value) == 1:
            (key, inner), = value.items()
            if key == "$date":
                return datetime.datetime.fromisoformat(inner)
            if key == "$oid":
                return ObjectId(inner)
            if key == "$binary":
                return base64.b64decode(inner, validate=True)
        return {k: decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value


def dumps(record):
    return json.dumps(encode(record), ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")) + "\n"


def remap(value, ids):
    """``value`` with every id token found in ``ids`` (old → new) replaced, at
    any depth and inside strings: references (``project_id``), principals
    (``role:ID``), composite keys (a watch's ``USER:NODE``) and links in text
    (``@@attachment/ID/name``) all follow the new ids."""
    if isinstance(value, str):
        if len(value) < 24:
            return value
        return ID_TOKEN.sub(lambda m: ids.get(m.group(0), m.group(0)), value)
    if isinstance(value, dict):
        return {k: remap(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [remap(v, ids) for v in value]
    return value
