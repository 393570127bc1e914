"""Pages of the discussion tool: the forum list, a forum's threads, a thread.

The posts of a thread (and replying, editing, moderating them, the
moderation queue) are the core's views and templates (``forge.discussion``);
these pages add forums and threads around them.  Registered for this tool's
interfaces only.
"""
from datetime import datetime, timezone

from pyramid.view import view_config, view_defaults

from forge.api import (ActionError, Post, StaleSave, collection, conflict_response, page_number,
                       parse_int, readable_page, redirect, thread_view, uploads_of, usernames)

from .actions import (check_subject, create_forum, create_thread, delete_thread, flags_comment,
                      rename_thread, set_thread_flags, update_forum)
from .forms import ForumForm, ThreadForm
from .model import FORUM, Forum, ForumThread
from .resources import IDiscussionTool, IForum, IForumThread

FORM_ERROR = "Nothing was saved; see the messages below."


def when(epoch):
    """Epoch seconds as the UTC minute the pages show."""
    if not epoch:
        return ""
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def pending_count(request, tool, most=100):
    """Posts of this tool waiting in the core's moderation queue (pending or
    held as spam), counted up to ``most`` on the queue's index."""
    posts = collection(Post)
    count = 0
    for status in ("pending", "spam"):
        count += len(list(posts.find({"tool_id": tool.doc._id, "status": status,
                                      "deleted": False}, {"_id": 1}).limit(most)))
    return min(count, most)


class Base:
    def __init__(self, context, request):
        self.context = context
        self.request = request

    def page(self, status=200, **values):
        self.request.response.status_int = status
        values.setdefault("when", when)
        return values


@view_defaults(context=IDiscussionTool)
class ToolViews(Base):

    @view_config(page_cache=True, name="", request_method="GET", renderer="tools.discussion:templates/forums/tool.jinja2",
                 permission="read")
    def index(self):
        request, tool = self.request, self.context
        docs = Forum.query.find({"tool_id": tool.doc._id, "type": FORUM, "deleted": False}
                                ).sort("title", 1)
        forums = [f for f in (tool.forum_resource(d) for d in docs) if request.can("read", f)]
        names = usernames(f.doc.last_author_id for f in forums)
        may_moderate = request.can("moderate", tool)
        return self.page(forums=forums, names=names, may_moderate=may_moderate,
                         pending=pending_count(request, tool) if may_moderate else 0,
                         may_admin=request.can("admin", tool))

    @view_config(name="new-forum", renderer="tools.discussion:templates/forums/forum_form.jinja2", permission="admin")
    def new_forum(self):
        request, tool = self.request, self.context
        form = ForumForm()
        if request.method != "POST":
            return self.page(form=form, action="new-forum", error=None)
        cleaned = form.read(request.POST).clean()
        if not form.valid:
            return self.page(400, form=form, action="new-forum", error=FORM_ERROR)
        try:
            forum = create_forum(request.registry, tool.project.doc, tool.doc, cleaned["name"],
                                 cleaned["title"], cleaned["description"], request.user,
                                 private=cleaned["private"])
        except ActionError as error:
            return self.page(error.status, form=form, action="new-forum", error=str(error))
        request.session.flash("Forum “%s” created." % forum.title)
        return redirect(request, request.forge_url(tool, forum.path, ""))


@view_defaults(context=IForum)
class ForumViews(Base):

    @view_config(page_cache=True, name="", request_method="GET", renderer="tools.discussion:templates/forums/forum.jinja2",
                 permission="read")
    def show(self):
        request, forum = self.request, self.context
        candidates = ForumThread.query.find(
            {"tool_id": forum.doc.tool_id, "forum": forum.doc.path, "deleted": False}
        ).sort([("sticky", -1), ("last_post_at", -1)])

        # a held thread's ACL lets only its moderators and author read it
        page = readable_page(request, candidates, forum.thread_resource,
                             page=page_number(request))
        names = usernames([t.doc.last_author_id or t.doc.author_id for t in page.items])
        return self.page(forum=forum, page=page, names=names,
                         may_create=request.can("create", forum),
                         may_admin=request.can("admin", forum))

    @view_config(name="edit", renderer="tools.discussion:templates/forums/forum_form.jinja2", permission="admin")
    def edit(self):
        request, doc = self.request, self.context.doc
        form = ForumForm(title=doc.title, description=doc.description)
        if request.method != "POST":
            return self.page(form=form, action="edit", error=None, version=doc.version)
        cleaned = form.read(request.POST).clean(with_name=False)
        try:
            version = parse_int(request.POST.get("version"), "version")
        except ValueError:
            return self.page(400, form=form, action="edit", version=doc.version,
                             error="The form did not say which version it edited; reload the page.")
        if not form.valid:
            return self.page(400, form=form, action="edit", error=FORM_ERROR, version=version)
        try:
            update_forum(request.registry, doc, version, cleaned["title"],
                         cleaned["description"], request.user)
        except StaleSave as error:
            mine = {k: v for k, v in form.values.items() if k in ("title", "description")}
            return conflict_response(request, error, mine)
        except ActionError as error:
            return self.page(error.status, form=form, action="edit", error=str(error),
                             version=version)
        request.session.flash("Forum saved.")
        return redirect(request, request.forge_url(self.context))

    @view_config(name="new", renderer="tools.discussion:templates/forums/thread_form.jinja2", permission="create")
    def new_thread(self):
        request, forum = self.request, self.context
        form = ThreadForm()
        if request.method != "POST":
            return self.page(form=form, error=None)
        cleaned = form.read(request.POST).clean()
        if not form.valid:
            return self.page(400, form=form, error=FORM_ERROR)
        try:
            node, post = create_thread(
                request.registry, forum, cleaned["subject"], cleaned["text"], request.user,
                uploads=uploads_of(request),
                may_skip_moderation=request.can("unmoderated_post", forum),
                trusted=request.can("moderate", forum))
        except ActionError as error:
            return self.page(error.status, form=form, error=str(error))
        request.session.flash("Thread started." if post.status == "ok" else
                              "Thread started; a moderator will look at it before others "
                              "can see it.")
        return redirect(request, request.forge_url(node))


@view_defaults(context=IForumThread)
class ThreadViews(Base):

    @view_config(page_cache=True, name="", request_method="GET", renderer="tools.discussion:templates/forums/thread.jinja2",
                 permission="read")
    def show(self):
        request, node = self.request, self.context
        return self.page(node=node, forum=node.forum_node, thread=thread_view(request, node),
                         may_moderate=request.can("moderate", node),
                         may_update=request.can("update", node),
                         may_delete=request.can("delete", node))

    @view_config(name="edit", renderer="tools.discussion:templates/forums/thread_edit.jinja2", permission="update")
    def edit(self):
        request, node = self.request, self.context
        doc = node.doc
        form = ThreadForm(subject=doc.title)
        if request.method != "POST":
            return self.page(form=form, error=None, version=doc.version)
        form.read(request.POST)
        subject = form.check("subject", check_subject)
        try:
            version = parse_int(request.POST.get("version"), "version")
        except ValueError:
            return self.page(400, form=form, version=doc.version,
                             error="The form did not say which version it edited; reload the page.")
        if not form.valid:
            return self.page(400, form=form, error=FORM_ERROR, version=version)
        try:
            rename_thread(request.registry, doc, version, subject, request.user)
        except StaleSave as error:
            return conflict_response(request, error, {"subject": form.values["subject"]})
        except ActionError as error:
            return self.page(error.status, form=form, error=str(error), version=version)
        request.session.flash("Subject saved.")
        return redirect(request, request.forge_url(node))

    @view_config(name="flags", request_method="POST", permission="moderate")
    def flags(self):
        request, node = self.request, self.context
        post = request.POST
        sticky = post["sticky"] == "on" if "sticky" in post else None
        locked = post["locked"] == "on" if "locked" in post else None
        changed_words = flags_comment(node.doc, {k: v for k, v in
                                                 (("sticky", sticky), ("locked", locked))
                                                 if v is not None})
        # a refusal (an auditor's) is the core's error page with its 4xx status
        _thread, changed = set_thread_flags(request.registry, node, request.user,
                                            sticky=sticky, locked=locked)
        request.session.flash(("Thread %s." % changed_words) if changed and changed_words
                              else "Nothing changed.")
        return redirect(request, request.forge_url(node))

    @view_config(name="delete", request_method="POST", permission="delete")
    def delete(self):
        request, node = self.request, self.context
        delete_thread(request.registry, node, request.user)
        request.session.flash("Thread “%s” deleted." % node.doc.title)
        return redirect(request, request.forge_url(node.forum_node))
