"""Pages of the discussion tool that differ from the core's generic ones
(``forge.views.generic``: edit forms, deletion, history, diff, preview).

The forum list and a forum's threads, a new thread with its opening post, the
thread page and its moderator flags; forums are made, edited and deleted by
admins only (the tool's ``create``, ``update`` and ``delete`` are for threads).
The posts and their moderation are the core's comment threads.
"""
from datetime import datetime, timezone

from markupsafe import Markup
from pyramid.renderers import render
from pyramid.view import view_config, view_defaults

from forge.api import (Post, TypedArtifactViews, collection, page_number, readable_page,
                       reader_cached, redirect, shown_field_values, thread_view, uploads_of,
                       usernames, verdict_cached)

from .actions import create_thread, set_thread_flags
from .model import FORUM, Forum, ForumThread, ThreadForm, shown_thread
from .resources import IDiscussionTool, IForum, IForumThread

FORM = "forge:templates/artifact/form.jinja2"
TEMPLATES = "tools.discussion:templates/forums/"


def when(epoch):
    """Epoch seconds as the UTC minute the pages show."""
    if not epoch:
        return ""
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def pending_count(tool, most=100):
    """Posts of this tool waiting in the core's moderation queue (pending or
    held as spam), counted up to ``most`` on the queue's index."""
    return min(most, sum(len(list(collection(Post).find(
        {"tool_id": tool.doc._id, "status": status, "deleted": False}, {"_id": 1}
    ).limit(most))) for status in ("pending", "spam")))


@view_defaults(context=IDiscussionTool)
class ToolViews(TypedArtifactViews):

    @view_config(page_cache=True, name="", request_method="GET", permission="read",
                 renderer=TEMPLATES + "tool.jinja2")
    def index(self):
        request, tool = self.request, self.context
        docs = Forum.query.find({"tool_id": tool.doc._id, "type": FORUM, "deleted": False}
                                ).sort("title", 1)
        forums = [f for f in (self.kind.node(d, tool) for d in docs) if request.can("read", f)]
        may_moderate = request.can("moderate", tool)
        return {"forums": forums, "names": usernames(f.doc.last_author_id for f in forums),
                "when": when, "may_moderate": may_moderate,
                "pending": pending_count(tool) if may_moderate else 0,
                "may_admin": request.can("admin", tool)}

    @view_config(name="new-forum", permission="admin", renderer=FORM)
    @view_config(name="new", permission="admin", renderer=FORM)
    def new_forum(self):
        return self.new_artifact(None)


@view_defaults(context=IForum)
class ForumViews(TypedArtifactViews):
    not_saved = "Nothing was saved; see the messages below."

    @view_config(page_cache=True, name="", request_method="GET", permission="read",
                 renderer=TEMPLATES + "forum.jinja2")
    def show(self):
        request, forum = self.request, self.context
        threads = request.registry.forge_artifact_types.of(ForumThread)
        candidates = ForumThread.query.find(
            {"tool_id": forum.doc.tool_id, "forum": forum.doc.path, "deleted": False}
        ).sort([("sticky", -1), ("last_post_at", -1)])
        # a held thread's ACL lets only its moderators and author read it
        page = readable_page(request, candidates, lambda doc: threads.node(doc, forum),
                             page=page_number(request))
        return {"forum": forum, "page": page, "when": when,
                "fields": shown_field_values(request, forum.tool_node, forum.doc),
                "names": usernames([t.doc.last_author_id or t.doc.author_id
                                    for t in page.items]),
                "may_create": request.can("create", forum),
                "may_admin": request.can("admin", forum)}

    @view_config(name="edit", permission="admin", renderer=FORM)
    def edit(self):
        return super().edit()

    @view_config(name="delete", request_method="POST", permission="admin")
    def delete(self):
        return super().delete()

    @view_config(name="new", permission="create", renderer=TEMPLATES + "thread_form.jinja2")
    def new_thread(self):
        request, forum = self.request, self.context

        def create(form):
            fields = form.clean()
            node, post = create_thread(
                request.registry, forum, fields["title"], fields["text"], request.user,
                uploads=uploads_of(request), fields=fields,
                may_skip_moderation=request.can("unmoderated_post", forum),
                trusted=request.can("moderate", forum))
            return ("Thread started." if post.status == "ok" else "Thread started; a "
                    "moderator will look at it before others can see it.",
                    request.forge_url(node))
        threads = request.registry.forge_artifact_types.of(ForumThread)
        return self.new_form(ThreadForm(request, self.tool, threads), create)


def kept_thread(request, node):
    """The page's content (all but the site's chrome) as HTML, kept per
    reader while nothing is written (``reader_cached``: its forms carry the
    reader's CSRF token, its buttons their permissions, the watch button
    whether they watch) under the page's URL, which names the thread and
    where its links point: a reader's next views render none of it."""
    def load():
        doc = shown_thread(node)    # read as stored: the page changes nothing
        return Markup(render(TEMPLATES + "_thread.jinja2", {
            "node": node, "doc": doc, "forum": node.__parent__,
            "posts_html": kept_posts(request, node),
            "fields": shown_field_values(request, node.tool_node, doc),
            **{"may_" + p: request.can(p, node) for p in ("moderate", "update", "delete")}},
            request))
    return reader_cached(request, ("forum-thread", node._doc._id, request.path_url), load)


def kept_posts(request, node):
    """The thread's posts and post form as HTML, kept once for every reader
    who may do the same there (``verdict_cached`` under the thread's
    ``verdicts()``: a session's first view renders no post another reader
    like them has seen) under the page's URL, with this reader's CSRF token
    put in its forms."""
    thread = thread_view(request, node, shared=True)

    def load():
        return Markup(render(TEMPLATES + "_posts.jinja2", {"node": node, "thread": thread},
                             request))
    return verdict_cached(request, ("forum-posts", node._doc._id, request.path_url),
                          thread.verdicts, load)


@view_defaults(context=IForumThread)
class ThreadViews(TypedArtifactViews):

    @view_config(page_cache=True, name="", request_method="GET", permission="read",
                 renderer=TEMPLATES + "thread.jinja2")
    def show(self):
        return {"node": self.context, "content": kept_thread(self.request, self.context)}

    @view_config(name="flags", request_method="POST", permission="moderate")
    def flags(self):
        request, node, post = self.request, self.context, self.request.POST
        # a refusal (an auditor's) is the core's error page with its 4xx status
        words = set_thread_flags(request.registry, node, request.user,
                                 sticky=post["sticky"] == "on" if "sticky" in post else None,
                                 locked=post["locked"] == "on" if "locked" in post else None)
        request.session.flash("Thread %s." % words if words else "Nothing changed.")
        return redirect(request, request.forge_url(node))
