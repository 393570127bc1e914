"""A node's ACL under ``/rest``: ``@@acl`` (those who may administer it, as
the permissions page).

GET: the entries along the lineage, nearest node first (``index`` numbers the
node's own; ``inherited_from`` names an ancestor's), and whether it is
private.  POST changes it through the permissions page's own handlers (so the
same checks, audit entries, events and lock-out rule apply), one change per
request::

    {"op": "add", "access": "allow", "principal": "role:...", "permission": "update"}
    {"op": "add", "access": "deny", "username": "mallory", "permission": "read"}
    {"op": "remove", "index": 0, "access": "allow", "principal": "...", "permission": "..."}
    {"op": "privacy", "private": true, "readers": ["role:...", "ada"]}

An ACL change does not move the node's version (``set_acl`` writes the list
only), so ``If-Match`` names the ETag of ``@@acl`` itself: a digest of what
GET shows, which any change to the node's or an ancestor's entries moves.
Without it 428, with another 412 and the current ETag: a change made by
someone else in between is never overwritten.
"""
import hashlib
import json

from pyramid.view import view_config, view_defaults
from webob.multidict import MultiDict

from ..fields import FieldErrors
from ..interfaces import INode
from ..views.permissions import PermissionsView, effective_acl
from .body import json_body
from .csrf import REST_VIEW
from .nodes import ROUTE, rest_url
from .problems import Problem
from .responses import json_response
from .tree import member_errors

OPERATIONS = {
    "add": {"op": str, "access": str, "principal": str, "username": str, "permission": str},
    "remove": {"op": str, "index": int, "access": str, "principal": str, "permission": str},
    "privacy": {"op": str, "private": bool, "readers": list},
}
REQUIRED = {"add": ("access", "permission"), "remove": ("index",), "privacy": ("private",)}


def checked(data):
    """``data`` if it is one change of OPERATIONS, else FieldErrors (422)."""
    spec = OPERATIONS.get(data.get("op")) if isinstance(data.get("op"), str) else None
    if spec is None:
        raise FieldErrors({"op": "Must be one of: %s." % ", ".join(OPERATIONS)})
    errors = member_errors(data, spec, REQUIRED[data["op"]])
    readers = data.get("readers")
    if isinstance(readers, list) and not all(isinstance(r, str) for r in readers):
        errors["readers"] = "Must be an array of principals or usernames."
    if errors:
        raise FieldErrors(errors)
    return data


def acl_json(request, node):
    return {"url": rest_url(request, node, "@@acl"),
            "private": bool(getattr(node, "private", False)),
            "entries": [{"access": row.access, "principal": row.principal, "label": row.label,
                         "permission": row.permission,
                         "inherited_from": rest_url(request, row.source) if row.source else None,
                         "index": row.index}
                        for row in effective_acl(request, node)]}


def acl_tag(data):
    body = json.dumps(data, default=str, ensure_ascii=False).encode("utf-8")
    return '"%s"' % hashlib.sha256(body).hexdigest()[:20]


def require_tag(request, current):
    header = request.headers.get("If-Match")
    if header is None:
        raise Problem(428, "Precondition required", "Send the ETag of your GET of @@acl in "
                      "If-Match; the current one is %s." % current, headers={"ETag": current})
    tags = [t.strip().removeprefix("W/") for t in header.split(",")]
    if current not in tags and "*" not in tags:
        raise Problem(412, "Precondition failed", "The ACL changed since your GET; nothing "
                      "was saved. GET it again and reapply your change.",
                      headers={"ETag": current})


def as_form(data):
    """The JSON change as the permissions page's form posts it."""
    form = MultiDict(op=data["op"])
    for key in ("access", "principal", "username", "permission"):
        if key in data:
            form[key] = data[key]
    if data["op"] == "remove":
        form["index"] = str(data.get("index", ""))
    if data["op"] == "privacy":
        form["private"] = "1" if data.get("private") else ""
        for reader in data.get("readers", ()):
            form.add("reader", reader)
    return form


@view_defaults(**REST_VIEW, route_name=ROUTE, context=INode, name="acl", permission="admin")
class AclViews:
    def __init__(self, context, request):
        self.context, self.request = context, request

    @view_config(request_method="GET")
    def show(self):
        return json_response(self.request, acl_json(self.request, self.context))

    @view_config(request_method="POST")
    def change(self):
        request, node = self.request, self.context
        require_tag(request, acl_tag(acl_json(request, node)))
        data = checked(json_body(request))
        page = PermissionsView(node, request)
        handler = {"add": page.add, "remove": page.remove, "privacy": page.privacy}[data["op"]]
        handler(as_form(data))
        return json_response(request, acl_json(request, node))
