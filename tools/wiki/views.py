"""The wiki's pages that differ from the core's: the tool's (home, new, index, recent,
deleted, options) and a page's (show, new sub-page, rename, delete, previews with
``[[links]]``), and a renamed page's old URL.  ``@@edit`` and the history pages
are the core's.  Lists show only pages the viewer may read, on their lineage
(``tools.wiki.lineage``), before paging.
"""
from pyramid.httpexceptions import HTTPNotFound
from pyramid.view import view_config, view_defaults

from forge.api import (ActionError, Snapshot, TypedArtifactViews, attachments_of,
                       create_artifact, delete_artifact, error_response, form_version,
                       page_number, readable_page, redirect, shown_field_values, thread_view,
                       undelete_artifact, usernames)

from .actions import NameTaken, clean_path, create_page, rename_page, set_home
from .lineage import live_nodes, pages, stored_nodes
from .model import WikiPage
from .render import render_page, render_wiki_markdown
from .resources import IWikiPage, IWikiTool

FORM = "tools.wiki:templates/wiki/form.jinja2"
WELCOME = ("Welcome to the wiki of this project.\n\nEdit this page to say what the project "
           "is about, and link other pages with `[[Page Name]]`: a page that does not exist "
           "yet shows as a link that creates it.\n")


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
    """A ``NameTaken`` says what holds the name only to those who may read it
    (on its real lineage, deleted or not); everyone else gets one answer."""
    if isinstance(error, NameTaken):
        holder = stored_nodes(tool, [error.holder.path])[error.holder.path]
        if holder is not None and request.can("read", holder):
            return ActionError(error.precise)
    return error


class WikiViews(TypedArtifactViews):
    """What the tool's and a page's views share: the new page and the preview."""

    def prefill(self, form):
        form.values["name"] = self.request.GET.get("title", "")[:1000]   # a missing link's

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

    @view_config(name="new", renderer=FORM, permission="create", context=IWikiTool)
    @view_config(name="new", renderer=FORM, permission="create", context=IWikiPage)
    def new(self):
        return self.new_page()

    @view_config(name="preview", request_method="POST", permission="create", context=IWikiTool)
    @view_config(name="preview", request_method="POST", permission="update", context=IWikiPage)
    def preview(self):
        return self.markdown_preview()


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
                "fields": shown_field_values(request, self.tool, page.doc),
                **{"may_" + p: request.can(p, page) for p in ("create", "update", "delete",
                                                               "admin")}}

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


@view_defaults(context=IWikiTool)
class WikiToolViews(WikiViews):

    @view_config(page_cache=True, name="", request_method="GET", permission="read",
                 renderer="tools.wiki:templates/wiki/tool.jinja2")
    def home(self):
        """The home page, or an empty state offering to create it: a GET never
        writes, and the page is the same whether an unreadable page holds the name."""
        request, tool = self.request, self.context
        node = tool.page_at(tool.home_name)
        if node is not None and request.can("read", node):
            return redirect(request, request.forge_url(node))
        return {"home": tool.home_name, "may_create": request.can("create", tool),
                "may_admin": request.can("admin", tool)}

    @view_config(name="create-home", request_method="POST", permission="create")
    def create_home(self):
        request, tool = self.request, self.context
        name = tool.home_name
        try:
            create_page(request.registry, tool.project.doc, tool.doc, name, name, WELCOME,
                        request.user, comment="created from the empty wiki")
        except ActionError as error:
            return error_response(request, error.status, "Not created",
                                  str(refusal(request, tool, error)))
        request.session.flash("Page “%s” created." % name)
        return redirect(request, page_url(request, tool, name))

    @view_config(page_cache=True, name="index", request_method="GET", permission="read",
                 renderer="tools.wiki:templates/wiki/index.jinja2")
    def index(self):
        """Every readable page as a tree by path: one query for the whole wiki."""
        return {"nodes": [n for n in live_nodes(self.context) if self.request.can("read", n)]}

    @view_config(page_cache=True, name="recent", request_method="GET", permission="read",
                 renderer="tools.wiki:templates/wiki/recent.jinja2")
    def recent(self):
        """Pages by last change, newest first, with who made it and why."""
        request, nodes = self.request, {n.doc.path: n for n in live_nodes(self.context)}
        page = readable_page(request, pages(self.context, False).sort("modified", -1),
                             lambda raw: nodes.get(raw["path"]), page=page_number(request),
                             size=25)
        rows = [{"node": node, "snapshot": Snapshot.query.get(artifact_id=node.doc._id,
                                                              version=node.doc.version)}
                for node in page.items]
        names = usernames(r["snapshot"].author_id for r in rows if r["snapshot"])
        return {"page": page, "rows": rows, "names": names}

    @view_config(name="deleted", request_method="GET", permission="delete",
                 renderer="tools.wiki:templates/wiki/deleted.jinja2")
    def deleted(self):
        """The deleted pages this user could read were they not deleted."""
        request = self.request
        paths = [raw["path"] for raw in pages(self.context, True).sort("path", 1).limit(1000)]
        nodes = stored_nodes(self.context, paths)
        shown = [nodes[p] for p in paths if nodes[p] is not None and request.can("read", nodes[p])]
        return {"nodes": shown,
                "may_undelete": {n.doc._id for n in shown if request.can("delete", n)}}

    @view_config(name="undelete", request_method="POST", permission="delete")
    def undelete(self):
        request, tool = self.request, self.context
        doc = WikiPage.query.get(tool_id=tool.doc._id, _id=request.POST.get("page", ""))
        node = stored_nodes(tool, [doc.path])[doc.path] if doc is not None else None
        # one answer for a missing page and one this user may not see or delete
        if node is None or not request.can("delete", node):
            return error_response(request, 404, "Not found", "There is no such page.")
        try:
            back = undelete_artifact(request.registry, doc, request.user)
        except ActionError as error:
            return error_response(request, error.status, "Not undeleted", str(error))
        more = " with %d sub-pages" % (len(back) - 1) if len(back) > 1 else ""
        request.session.flash("Undeleted “%s”%s." % (doc.title, more))
        return redirect(request, page_url(request, tool, doc.path))

    @view_config(name="options", permission="admin",
                 renderer="tools.wiki:templates/wiki/options.jinja2")
    def options(self):
        """The wiki's settings: which page is its home."""
        request, tool = self.request, self.context
        if request.method != "POST":
            return {"home": tool.home_name, "error": None, "version": tool.doc.version or 0}
        home = request.POST.get("home", "")
        try:
            changed = set_home(request.registry, tool.doc, home, request.user,
                               version=form_version(request.POST))
        except ActionError as error:
            request.response.status_int = error.status
            # shown again with the version it edited: a stale form stays a 409
            return {"home": home, "error": str(error), "version": request.POST.get("version", "")}
        request.session.flash("The home page is now “%s”." % tool.doc.options["home"]
                              if changed else "Nothing changed.")
        return redirect(request, request.forge_url(tool, "@@options"))
