"""Collections paged by a cursor: ``?limit=`` (1-100, default 25) and ``?cursor=``.

A cursor is opaque to clients: the sort key of the last item of the page
(a project's short name, an artifact's path, a tool's mount) and a digest of
the collection it belongs to, base64url-encoded.  It is made from an item the
caller could read, and the next page starts strictly after that key, so a
private item changes neither the pages nor the cursors a reader gets: items
are filtered by ``read`` before they are counted into a page, as every list
of the forge is (``forge.listing``).  A cursor that does not decode, or that
belongs to another collection, is a 400.
"""
import base64
import binascii
import hashlib
import json
from dataclasses import dataclass

from pyramid.authorization import ALL_PERMISSIONS

from ..views.params import int_param
from .problems import Problem

DEFAULT_LIMIT = 25
MAX_LIMIT = 100
MAX_CURSOR = 2048


@dataclass
class CursorPage:
    items: list
    next_cursor: str | None


def page_limit(request):
    try:
        return int_param(request.GET, "limit", "limit", minimum=1, maximum=MAX_LIMIT,
                         default=DEFAULT_LIMIT)
    except Exception as e:      # HTTPBadRequest with the message
        raise Problem(400, "Invalid limit", getattr(e, "detail", None) or str(e)) from None


def _collection_digest(request):
    # the path and query (without the cursor) name the collection
    query = sorted((k, v) for k, v in request.GET.items() if k not in ("cursor", "limit"))
    text = request.path_info + "?" + json.dumps(query)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:12]


def encode_cursor(request, key):
    raw = json.dumps({"after": key, "in": _collection_digest(request)}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def cursor_key(request):
    """The key a page starts after, or None for the first page."""
    cursor = request.GET.get("cursor")
    if cursor is None or cursor == "":
        return None
    invalid = Problem(400, "Invalid cursor",
                      "The cursor is not one this collection gave out; start again "
                      "without it.")
    if len(cursor) > MAX_CURSOR:
        raise invalid
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise invalid from None
    if (not isinstance(data, dict) or not isinstance(data.get("after"), str)
            or data.get("in") != _collection_digest(request)):
        raise invalid
    return data["after"]


def batched(find_after, after, key_of_doc, size):
    """The documents ``find_after(key)`` finds (a sorted query of those after
    ``key``; None: from the start; a Ming query or a pymongo cursor), fetched
    ``size`` at a time with a limit: a sort + limit is what the embedded
    server answers from an index, an open-ended sorted query it sorts whole
    (200 ms at 10,000 tickets)."""
    while True:
        docs = list(find_after(after).limit(size))
        yield from docs
        if len(docs) < size:
            return
        after = key_of_doc(docs[-1])


def cursor_page(request, candidates, to_node, key_of, readable=None):
    """Walk ``candidates`` (in key order, already starting after the cursor),
    keep the nodes the caller may read (``readable(node)``, by default
    ``request.can("read", node)``), up to the limit."""
    limit = page_limit(request)
    readable = readable or (lambda node: request.can("read", node))
    kept = []
    for doc in candidates:
        node = to_node(doc)
        if node is None or not readable(node):
            continue
        if len(kept) == limit:
            return CursorPage(kept, encode_cursor(request, key_of(kept[-1])))
        kept.append(node)
    return CursorPage(kept, None)


class SiblingsReadable:
    """``request.can("read", node)`` for the artifacts of one list, asked once
    per parent and ACL.

    Whether an artifact may be read is decided by the ACLs of its lineage,
    nearest first (``forge.security.permits``): two artifacts under the same
    parent whose own ``__acl__`` is the same (most have none of their own,
    and share their tool's answer) get the same answer, so the first one's
    is kept for the others.  Only for artifacts: a token limited to a project
    is judged on the node's lineage, which siblings share, but a project is
    judged on itself."""

    def __init__(self, request):
        self.request, self.decided = request, {}

    def __call__(self, node):
        key = (node.__parent__, acl_key(node))
        decided = self.decided.get(key)
        if decided is None:
            decided = self.decided[key] = bool(self.request.can("read", node))
        return decided


def acl_key(node):
    """The node's own ACL as a hashable value (entries as Pyramid reads them;
    ``ALL_PERMISSIONS`` is an unhashable singleton)."""
    acl = node.__acl__
    if callable(acl):
        acl = acl()
    return tuple((access, principal, _permission_key(permission))
                 for access, principal, permission in acl)


def _permission_key(permission):
    if permission is ALL_PERMISSIONS:
        return ALL
    if isinstance(permission, (list, tuple, set, frozenset)):
        return ("any of",) + tuple(sorted(map(str, permission)))
    return permission


ALL = ("all permissions",)
