"""JSON answers: bodies, ETags and conditional GETs, collection pages."""
import hashlib
import json

from pyramid.response import Response

from ..redirects import created_at
from .body import etag, not_modified
from .nodes import rest_url

JSON_TYPE = "application/json"


def json_response(request, data, status=200, version=None, headers=None):
    """``data`` as JSON; its ETag is the node's version when it has one, else
    a digest of the body; a GET whose If-None-Match names it is a 304."""
    body = json.dumps(data, default=str, ensure_ascii=False).encode("utf-8")
    tag = etag(version) if version is not None else \
        '"%s"' % hashlib.sha256(body).hexdigest()[:20]
    if request.method in ("GET", "HEAD") and status == 200 and not_modified(request, tag):
        response = Response(status=304)
        response.headers["ETag"] = tag
        return response
    response = Response(body=body, status=status, content_type=JSON_TYPE, charset="utf-8")
    response.headers["ETag"] = tag
    # answers depend on who asks: never stored by a shared cache
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["Vary"] = "Authorization, Cookie"
    response.headers.update(headers or {})
    return response


def collection_response(request, context, view_name, page, items):
    data = {"items": items, "next": None}
    headers = {}
    if page.next_cursor is not None:
        query = {k: v for k, v in request.GET.items() if k != "cursor"}
        query["cursor"] = page.next_cursor
        data["next"] = rest_url(request, context, "@@" + view_name, _query=query)
        headers["Link"] = '<%s>; rel="next"' % data["next"]
    return json_response(request, data, headers=headers)


def created_response(request, data, node, version):
    response = json_response(request, data, status=201, version=version)
    return created_at(request, response, rest_url(request, node))
