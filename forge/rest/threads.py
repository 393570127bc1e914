"""An artifact's comment thread, versions and ACL under ``/rest``.

* ``@@comments``: GET the thread as its page shows it to the caller (held
  posts only to their author and moderators; a hidden post with shown replies
  is a placeholder), paged by cursor in thread order; POST a comment (``text``,
  optional ``parent_id``) through ``forge.discussion.actions.add_post``, with
  the ``post`` permission and the moderation rules of the web form.  Only types
  whose tool has comments (``post`` among its permissions) have a thread.
* ``@@history``: every version (snapshot) of a versioned artifact, newest
  first, read-only, to those who may read it (as ``@@history``'s version list).
(``@@acl`` is ``forge.rest.acl``; ``@@attachments`` ``forge.rest.attachments``.)
"""
from pyramid.view import view_config, view_defaults

from ..actions.versions import history
from ..artifact_types import ITypedArtifact
from ..discussion.actions import add_post
from ..discussion.render import thread_view
from ..redirects import created_at
from ..user_lookup import usernames
from .body import json_body
from .csrf import REST_VIEW
from .nodes import ROUTE, iso_time, rest_url
from .paging import cursor_key, encode_cursor, page_limit
from .problems import Problem
from .responses import collection_response, json_response
from .tree import members


class ListPage:
    """A page of an in-memory list (``cursor_page``'s ``CursorPage`` shape)."""

    def __init__(self, request, rows, key_of):
        after, limit = cursor_key(request), page_limit(request)
        if after is not None:
            rows = [row for row in rows if key_of(row) > after]
        self.items = rows[:limit]
        self.next_cursor = encode_cursor(request, key_of(rows[limit - 1])) \
            if len(rows) > limit else None


def has_comments(node):
    return "post" in node.permission_names()


def comment_json(item, attachment_base):
    post = item.post
    if item.placeholder:
        return {"id": post._id, "parent_id": post.parent_id, "placeholder": True}
    return {"id": post._id, "parent_id": post.parent_id, "placeholder": False,
            "author": item.author_name, "text": post.text, "status": post.status,
            "version": post.version or 1, "created": iso_time(post.created),
            "modified": iso_time(post.modified),
            "attachments": [{"id": a["id"], "filename": a["filename"],
                             "content_type": a.get("content_type", ""),
                             "length": a.get("length", 0),
                             "url": attachment_base + a["id"] + "/"}
                            for a in (item.attachments or ())]}


@view_defaults(**REST_VIEW, route_name=ROUTE, context=ITypedArtifact, name="comments")
class CommentViews:
    def __init__(self, context, request):
        self.context, self.request = context, request
        if not has_comments(context):
            raise Problem(404, "Not found", "Artifacts of this type have no comments.")

    @view_config(request_method="GET", permission="read")
    def list(self):
        request, node = self.request, self.context
        thread = thread_view(request, node)
        base = request.forge_url(node) + "@@attachment/"
        page = ListPage(request, thread.items, lambda item: item.post.slug)
        return collection_response(request, node, "comments", page,
                                   [comment_json(item, base) for item in page.items])

    @view_config(request_method="POST", permission="post")
    def post(self):
        request, node = self.request, self.context
        data = members(json_body(request), {"text": str, "parent_id": str},
                       required=("text",))
        post = add_post(request.registry, node, data["text"], request.user,
                        parent_id=data.get("parent_id") or None, source="rest",
                        may_skip_moderation=request.can("unmoderated_post", node),
                        trusted=request.can("moderate", node))
        shown = [item for item in thread_view(request, node).items if item.post._id == post._id]
        body = comment_json(shown[0], request.forge_url(node) + "@@attachment/")
        response = json_response(request, body, status=201)
        return created_at(request, response, rest_url(request, node, "@@comments"))


@view_config(**REST_VIEW, route_name=ROUTE, context=ITypedArtifact, name="history",
             request_method="GET", permission="read")
def artifact_history(context, request):
    snapshots = history(context.doc)
    names = usernames(s.author_id for s in snapshots)
    rows = [{"version": s.version, "author": names.get(s.author_id),
             "timestamp": iso_time(s.timestamp), "comment": s.comment or "",
             "data": dict(s.data or {})} for s in snapshots]
    # newest first; the cursor key sorts the other way round, so it is inverted
    page = ListPage(request, rows, lambda row: "%012d" % (10 ** 12 - row["version"]))
    return collection_response(request, context, "history", page, page.items)
