"""A wiki page's own pages: show, new sub-page, preview with ``[[links]]``, rename,
delete; and a renamed page's old URL.  ``@@edit`` is the core's (``PageForm``);
history, diff, version and revert are the core's ``IVersioned`` pages.
"""
from pyramid.httpexceptions import HTTPNotFound
from pyramid.view import view_config, view_defaults

from forge.api import (ActionError, TypedArtifactViews, attachments_of, create_artifact,
                       delete_artifact, redirect, thread_view)

from .actions import NameTaken, clean_path, rename_page
from .lineage import stored_nodes
from .model import WikiPage
from .render import render_page, render_wiki_markdown
from .resources import IMovedPage, IWikiPage

FORM = "tools.wiki:templates/wiki/form.jinja2"


def page_url(request, tool, path):
    return request.forge_url(tool, *path.split("/")) + "/"


def parent_for_new(request, tool, path):
    """ActionError unless the user may create under the parent page of ``path``
    (one message for a missing page and an unreadable one)."""
    parent_path, _, name = path.rpartition("/")
    parent = tool.page_at(parent_path) if parent_path else tool
    if parent is None or not request.can("create", parent):
        raise ActionError("There is no page “%s” to put “%s” under; create it first."
                          % (parent_path, name))


def refusal(request, tool, error):
    """A ``NameTaken`` names what holds the name only to those who may read it
    (on its real lineage, deleted or not); everyone else gets one answer."""
    if isinstance(error, NameTaken):
        holder = stored_nodes(tool, [error.holder.path])[error.holder.path]
        if holder is not None and request.can("read", holder):
            return ActionError(error.precise)
    return error


class WikiViews(TypedArtifactViews):
    """What the wiki's and a page's views share: the new page and the preview."""

    def prefill(self, form):
        # a missing page's link offers @@new?title=Name
        form.values["name"] = self.request.GET.get("title", "")[:1000]

    def render_preview(self, text):
        return render_wiki_markdown(self.request, self.tool, self.context, text)

    def new_page(self):
        request, tool = self.request, self.tool

        def create(form):
            fields = form.clean()
            parent_for_new(request, tool, fields["name"])
            try:
                doc = create_artifact(request.registry, WikiPage, tool.project.doc, tool.doc,
                                      None, fields["name"], fields, request.user,
                                      private=fields["private"], comment=fields["comment"])
            except ActionError as error:
                raise refusal(request, tool, error) from None
            return "Page “%s” created." % doc.title, page_url(request, tool, doc.path)
        return self.render(self.new_form(self.form(), create))


@view_defaults(context=IWikiPage)
class PageViews(WikiViews):

    @view_config(page_cache=True, name="", request_method="GET", permission="read",
                 renderer="tools.wiki:templates/wiki/page.jinja2")
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

    @view_config(name="new", renderer=FORM, permission="create")
    def new(self):
        return self.new_page()

    @view_config(name="preview", request_method="POST", permission="update")
    def preview(self):
        return self.markdown_preview()

    @view_config(name="rename", renderer="tools.wiki:templates/wiki/rename.jinja2",
                 permission="update")
    def rename(self):
        request, page = self.request, self.context
        if request.method != "POST":
            return {"name": page.doc.path, "error": None}
        old_path, new_path = page.doc.path, request.POST.get("name", "")
        try:
            parent_for_new(request, self.tool, clean_path(new_path))
            renamed = rename_page(request.registry, page.doc, new_path, request.user)
        except ActionError as error:
            request.response.status_int = error.status
            return {"name": new_path, "error": str(refusal(request, self.tool, error))}
        request.session.flash("Renamed “%s” to “%s”; the old address leads here." % (
            old_path, renamed.path))
        return redirect(request, page_url(request, self.tool, renamed.path))

    @view_config(name="delete", request_method="POST", permission="delete")
    def delete(self):
        request, page = self.request, self.context
        gone = delete_artifact(request.registry, page.doc, request.user)
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
    node = context.tool_node.page_at(context.target)
    if node is None or not request.can("read", node):
        raise HTTPNotFound()
    view = request.view_name
    location = request.forge_url(node, "@@" + view) if view else request.forge_url(node)
    return redirect(request, location + ("?" + request.query_string
                                         if request.query_string else ""))
