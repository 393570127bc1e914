"""Pages of one wiki page: show, new sub-page, edit (live preview), rename,
delete; and the old URL of a renamed page.

Registered for ``IWikiPage``/``IMovedPage`` only.  Forms re-render with the
user's input and a 4xx status when refused; a stale save is the core's 409
conflict page.  History, diff, version and revert are the core's views for
every ``IVersioned`` node; the page links to them.
"""
from pyramid.httpexceptions import HTTPNotFound
from pyramid.view import view_config, view_defaults

from forge.api import ActionError, ArtifactFormView, attachments_of, redirect, thread_view

from .actions import (NameTaken, clean_path, create_page, delete_page, rename_page,
                      update_page)
from .forms import PageForm
from .lineage import stored_nodes
from .render import render_page, render_wiki_markdown
from .resources import IMovedPage, IWikiPage


def page_url(request, node):
    return request.forge_url(node)


def parent_for_new(request, tool, path):
    """The node a new page at ``path`` goes under (the tool for a top-level
    page), or ActionError when it is missing or the user may not create there
    (the same message: a private page's existence is not told)."""
    parent_path = path.rpartition("/")[0]
    if not parent_path:
        return tool
    parent = tool.page_at(parent_path)
    if parent is None or not request.can("create", parent):
        raise ActionError("There is no page “%s” to put “%s” under; create it first."
                          % (parent_path, path.rpartition("/")[2]))
    return parent


def refusal(request, tool, error):
    """The message of a refused create or rename: a ``NameTaken`` names the
    page holding the name only to those who may read it (on its real
    lineage, deleted or not); everyone else gets the same answer whatever
    holds the name."""
    if isinstance(error, NameTaken):
        holder = stored_nodes(tool, [error.holder.path])[error.holder.path]
        if holder is not None and request.can("read", holder):
            return ActionError(error.precise)
    return error


class PageFormView(ArtifactFormView):
    """What the wiki's and a page's ``@@new`` and ``@@preview`` share."""

    noun = "page"

    def prefill(self, form):
        # a missing page's link offers @@new?title=Name
        form.values["name"] = self.request.GET.get("title", "")[:1000]

    def new_page(self, prefix=""):
        request = self.request

        def create(form):
            fields = form.clean(with_name=True)
            parent_for_new(request, self.tool, fields["path"])
            try:
                page = create_page(request.registry, self.context.project.doc,
                                   self.tool.doc, fields["path"], fields["title"],
                                   fields["text"], request.user, private=form.private,
                                   comment=fields["comment"])
            except ActionError as error:
                raise refusal(request, self.tool, error) from None
            return ("Page “%s” created." % page.title,
                    request.forge_url(self.tool, *page.path.split("/")) + "/")
        return self.new_form(PageForm(prefix), create)

    def render_preview(self, text):
        return render_wiki_markdown(self.request, self.tool, self.context, text)


@view_defaults(context=IWikiPage)
class PageViews(PageFormView):

    @view_config(page_cache=True, name="", request_method="GET", renderer="tools.wiki:templates/wiki/page.jinja2",
                 permission="read")
    def show(self):
        request, page = self.request, self.context
        return {"page": page, "html": render_page(request, self.tool, page),
                "children": [c for c in page.children() if request.can("read", c)],
                "attachments": attachments_of(page.doc._id),
                "thread": thread_view(request, page),
                "may_create": request.can("create", page),
                "may_update": request.can("update", page),
                "may_delete": request.can("delete", page),
                "may_admin": request.can("admin", page)}

    @view_config(name="new", renderer="tools.wiki:templates/wiki/form.jinja2", permission="create")
    def new(self):
        return self.new_page(prefix=self.context.doc.path + "/")

    @view_config(name="edit", renderer="tools.wiki:templates/wiki/form.jinja2", permission="update")
    def edit(self):
        request = self.request
        return self.edit_form(PageForm(), lambda fields, edited_version: update_page(
            request.registry, self.context.doc, edited_version, fields["title"],
            fields["text"], request.user, comment=fields["comment"]))

    @view_config(name="preview", request_method="POST", permission="update")
    def preview(self):
        return self.markdown_preview()

    @view_config(name="rename", renderer="tools.wiki:templates/wiki/rename.jinja2", permission="update")
    def rename(self):
        request, page = self.request, self.context
        new_path = request.POST.get("name", "") if request.method == "POST" else page.doc.path
        if request.method != "POST":
            return {"name": new_path, "error": None}
        try:
            path = clean_path(new_path)
            parent_for_new(request, self.tool, path)
            old_path = page.doc.path
            renamed = rename_page(request.registry, page.doc, path, request.user)
        except ActionError as error:
            request.response.status_int = error.status
            return {"name": new_path, "error": str(refusal(request, self.tool, error))}
        request.session.flash("Renamed “%s” to “%s”; the old address leads here." % (
            old_path, renamed.path))
        return redirect(request, request.forge_url(self.tool, *renamed.path.split("/"))
                         + "/")

    @view_config(name="delete", request_method="POST", permission="delete")
    def delete(self):
        request, page = self.request, self.context
        gone = delete_page(request.registry, page.doc, request.user)
        more = " and its %d sub-pages" % (len(gone) - 1) if len(gone) > 1 else ""
        request.session.flash("Deleted “%s”%s." % (page.doc.title, more))
        return redirect(request, request.forge_url(self.tool, "@@index"))


@view_config(context=IMovedPage, name="", request_method="GET", permission="read")
@view_config(context=IMovedPage, name="history", request_method="GET", permission="read")
@view_config(context=IMovedPage, name="diff", request_method="GET", permission="read")
@view_config(context=IMovedPage, name="version", request_method="GET", permission="read")
@view_config(context=IMovedPage, name="edit", request_method="GET", permission="read")
def moved(context, request):
    """A renamed page's old address (and its history, diff, version and edit
    pages): to the new one, if the viewer may read it."""
    tool = context.tool_node
    node = tool.page_at(context.target)
    if node is None or not request.can("read", node):
        raise HTTPNotFound()
    view = request.view_name
    location = request.forge_url(node, "@@" + view) if view else request.forge_url(node)
    if request.query_string:
        location += "?" + request.query_string
    return redirect(request, location)

