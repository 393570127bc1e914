"""Comment pages every artifact gets: post, reply, edit, delete, moderate, history;
and the moderation queues of a tool and of a project.

Registered for ``IArtifact`` (any tool's artifact) and ``ITool``, so a tool
that declares ``post``/``unmoderated_post``/``moderate`` and includes
``discussion/thread.jinja2`` on its artifact page has comments with nothing
else to write.  After a change the views redirect to the artifact page
(``#post-<id>``); a refused post re-renders its form with what was typed and
the 4xx status of the refusal.
"""
from urllib.parse import urlsplit

from pyramid.httpexceptions import HTTPForbidden, HTTPNotFound
from pyramid.view import view_config, view_defaults

from ..actions import ActionError
from ..interfaces import IArtifact, IProject, ITool
from ..links import link_context
from ..redirects import redirect, safe_next
from ..rendering import render_versioned
from ..user_lookup import usernames
from ..listing import PAGE_SIZE, page_number
from ..views.params import parse_int
from .actions import add_post, delete_post, edit_post, moderate_post
from ..model import Artifact
from ..model.session import collection
from .model import Post, Thread
from .render import thread_view


def uploads_of(request):
    """[(filename, fileobj, content_type)] of the file inputs that carry a file."""
    uploads = []
    for value in request.POST.getall("attachment"):
        if getattr(value, "filename", "") and getattr(value, "file", None) is not None:
            uploads.append((value.filename, value.file, value.type))
    return uploads


def artifact_url(request, node, post=None):
    url = request.forge_url(node)
    return url + "#post-%s" % post._id if post is not None else url


@view_defaults(context=IArtifact)
class PostViews:
    def __init__(self, context, request):
        self.context = context
        self.request = request

    def post_of_context(self, source):
        """The post named by ``post_id`` in ``source``, if it is under this artifact."""
        post_id = str(source.get("post_id", ""))[:40]
        post = Post.query.get(_id=post_id) if post_id else None
        if post is None or post.ref_id != self.context.doc._id:
            raise HTTPNotFound()
        return post

    def may_change(self, post):
        """Moderators, or the author while they may still post here."""
        request = self.request
        if request.can("moderate", self.context):
            return True
        user = request.user
        if user is None or post.author_id != user._id:
            return False
        thread = Thread.query.get(_id=post.thread_id)
        return not (thread and thread.locked) and request.can("post", self.context)

    def form_page(self, status, error, text="", parent=None):
        request = self.request
        request.response.status_int = status
        return {"thread": thread_view(request, self.context), "error": error, "text": text,
                "parent": parent,
                "parent_html": render_versioned(parent._id, parent.version, parent.text,
                                                links=link_context(request, self.context))
                if parent is not None else None}

    @view_config(name="post", request_method="POST", permission="post",
                 renderer="forge:templates/discussion/post_form.jinja2")
    def post(self):
        request, node = self.request, self.context
        text = request.POST.get("text", "")
        parent_id = request.POST.get("parent_id") or None
        try:
            post = add_post(request.registry, node, text, request.user, parent_id=parent_id,
                            uploads=uploads_of(request),
                            may_skip_moderation=request.can("unmoderated_post", node),
                            trusted=request.can("moderate", node))
        except ActionError as error:
            parent = Post.query.get(_id=str(parent_id)[:40]) if parent_id else None
            if parent is not None and (parent.ref_id != node.doc._id or not parent.visible):
                parent = None
            return self.form_page(error.status, str(error), text, parent)
        if post.status == "ok":
            request.session.flash("Your comment is posted.")
        elif post.status == "spam":
            request.session.flash("Your comment was held for a moderator: it looks like "
                                  "spam (%s)." % post.status_reason)
        else:
            request.session.flash("Your comment waits for a moderator; others will see it "
                                  "once it is approved.")
        return redirect(request, artifact_url(request, node, post))

    @view_config(name="post-edit", permission="read", renderer="forge:templates/discussion/edit.jinja2")
    def edit(self):
        request = self.request
        post = self.post_of_context(request.params)
        if post.deleted:
            raise HTTPNotFound()
        if not self.may_change(post):
            raise HTTPForbidden()
        page = {"post": post, "text": post.text, "version": post.version, "error": None}
        if request.method != "POST":
            return page
        text = request.POST.get("text", "")
        page["text"] = text
        try:
            edited_version = parse_int(request.POST.get("version"), "version")
        except ValueError:
            request.response.status_int = 400
            page["error"] = "The form did not say which version it edited; reload the page."
            return page
        page["version"] = edited_version
        try:
            post, changed = edit_post(request.registry, post, text, request.user,
                                      edited_version=edited_version,
                                      trusted=request.can("moderate", self.context))
        except ActionError as error:
            request.response.status_int = error.status
            page["error"] = str(error)
            return page
        request.session.flash("Your changes are saved." if changed else "Nothing changed.")
        return redirect(request, artifact_url(request, self.context, post))

    @view_config(name="post-delete", request_method="POST", permission="read")
    def delete(self):
        request = self.request
        post = self.post_of_context(request.POST)
        if not self.may_change(post):
            raise HTTPForbidden()
        delete_post(request.registry, post, request.user)
        request.session.flash("The post was deleted.")
        return redirect(request, artifact_url(request, self.context) + "#discussion")

    @view_config(name="moderate", request_method="POST", permission="moderate")
    def moderate(self):
        request = self.request
        post = self.post_of_context(request.POST)
        decision = request.POST.get("decision", "")
        moderate_post(request.registry, post, decision, request.user)
        request.session.flash({"approve": "The post is approved.",
                               "spam": "The post is marked as spam.",
                               "delete": "The post was deleted."}[decision])
        return redirect(request, safe_next(request, request.POST.get("came_from"),
                                           artifact_url(request, self.context, post)))

    @view_config(page_cache=True, name="post-history", request_method="GET", permission="read",
                 renderer="forge:templates/discussion/history.jinja2")
    def history(self):
        request = self.request
        post = self.post_of_context(request.params)
        user = request.user
        shown = post.visible or request.can("moderate", self.context) or (
            user is not None and post.author_id == user._id and not post.deleted)
        if not shown:
            raise HTTPNotFound()
        earlier = list(post.history or ())
        links = link_context(request, self.context)
        names = usernames([post.editor_id or post.author_id] + [h["author_id"] for h in earlier])
        versions = [{"version": post.version, "author": names.get(post.editor_id or post.author_id,
                                                                   "system"),
                     "time": post.modified,
                     "html": render_versioned(post._id, post.version, post.text, links=links)}]
        for entry in reversed(earlier):
            versions.append({"version": entry["version"],
                             "author": names.get(entry["author_id"], "system"),
                             "time": entry["timestamp"],
                             "html": render_versioned(post._id, entry["version"], entry["text"],
                                                      links=links)})
        return {"post": post, "versions": versions}


@view_config(context=ITool, name="moderation", request_method="GET", permission="moderate",
             renderer="forge:templates/discussion/moderation.jinja2")
def tool_moderation(context, request):
    """Pending and spam posts of this tool, oldest first."""
    nodes = {}

    def node_of(post):
        if post.ref_id not in nodes:
            nodes[post.ref_id] = artifact_node(context, post.ref_id)
        return nodes[post.ref_id]

    return queue_page(request, {"tool_id": context.doc._id}, node_of)


@view_config(context=IProject, name="moderation", request_method="GET", permission="read",
             renderer="forge:templates/discussion/moderation.jinja2")
def project_moderation(context, request):
    """The held posts of every tool of the project the viewer moderates
    (403 when that is none)."""
    tools = {tool.doc._id: tool for tool in context.tools() if request.can("moderate", tool)}
    if not tools:
        raise HTTPForbidden()
    nodes = {}

    def node_of(post):
        if post.ref_id not in nodes:
            tool = tools.get(post.tool_id)
            nodes[post.ref_id] = artifact_node(tool, post.ref_id) if tool is not None else None
        return nodes[post.ref_id]

    return queue_page(request, {"project_id": context.doc._id}, node_of)


def queue_page(request, scope, node_of):
    """Both queues (pending, spam) of ``scope``; like every list, only posts
    the viewer may moderate (read included) are counted and paged."""
    page = page_number(request)
    sections = []
    for status, title in (("pending", "Waiting for approval"), ("spam", "Held as possible spam")):
        candidates = Post.query.find(dict(scope, status=status, deleted=False)).sort("created", 1)
        items, has_next = moderated_posts(request, candidates, node_of, page)
        sections.append({"status": status, "title": title, "has_next": has_next,
                         "items": [{"post": post, "node": node,
                                    "html": render_versioned(post._id, post.version, post.text,
                                                             links=link_context(request, node))}
                                   for post, node in items]})
    authors = usernames(item["post"].author_id for s in sections for item in s["items"])
    came_from = urlsplit(request.url).path
    if request.query_string:
        came_from += "?" + request.query_string
    return {"sections": sections, "authors": authors, "page_number": page,
            "came_from": came_from}


def moderated_posts(request, candidates, node_of, page, size=PAGE_SIZE):
    """Page ``page`` of [(post, artifact node)] among the posts whose artifact
    the viewer may moderate; and whether there is a next page."""
    start, stop = (page - 1) * size, page * size
    kept, seen = [], 0
    for post in candidates:
        node = node_of(post)
        if node is None or not request.can("moderate", node):
            continue
        if start <= seen < stop:
            kept.append((post, node))
        seen += 1
        if seen > stop:
            break
    return kept, seen > stop


def artifact_node(tool_node, artifact_id):
    """The resource of the artifact ``artifact_id`` where it is now (it may
    have moved since the post), or None if it is gone.  Two indexed queries
    (the artifact, its family); the queues memoise it per artifact."""
    raw = collection(Artifact).find_one({"_id": artifact_id}, {"path": 1, "tool_id": 1})
    if raw is None or raw.get("tool_id") != tool_node.doc._id:
        return None
    node = tool_node
    try:
        for segment in raw["path"].split("/"):
            node = node[segment]
    except KeyError:
        return None
    return node
