"""The wiki's own pages: home, new page, page index, recent changes, and the
deleted pages (with undelete).

Every list shows only pages the viewer may read, checked on nodes with their
full lineage (a private page hides its sub-pages too), before paging; deleted
pages too, on the lineage they had (``tools.wiki.lineage``), deleted ancestors
included.
"""
from pyramid.view import view_config, view_defaults

from forge.api import (ActionError, Snapshot, collection, error_response, form_version,
                       page_number, readable_page, redirect, usernames)

from .actions import create_page, set_home, undelete_page
from .lineage import stored_nodes
from .model import WikiPage
from .resources import IWikiTool
from .views import PageFormView, refusal

WELCOME = ("Welcome to the wiki of this project.\n\n"
           "Edit this page to say what the project is about, and link other pages "
           "with `[[Page Name]]`: a page that does not exist yet shows as a link "
           "that creates it.\n")
LIST_FIELDS = {"text": 0}          # lists never need the pages' text
RECENT_PAGE_SIZE = 25


@view_defaults(context=IWikiTool)
class WikiToolViews(PageFormView):

    @view_config(page_cache=True, name="", request_method="GET", renderer="tools.wiki:templates/wiki/tool.jinja2",
                 permission="read")
    def home(self):
        """The home page (a tool option, "Home" by default), or an empty-state
        page offering to create it: a GET never writes."""
        request, tool = self.request, self.context
        name = tool.home_name
        node = tool.page_at(name)
        if node is not None and request.can("read", node):
            return redirect(request, request.forge_url(node))
        # the same page whether an unreadable page holds the name or none does
        return {"home": name, "may_create": request.can("create", tool),
                "may_admin": request.can("admin", tool)}

    @view_config(name="create-home", request_method="POST", permission="create")
    def create_home(self):
        """The empty state's button: the home page with a welcome text."""
        request, tool = self.request, self.context
        name = tool.home_name
        try:
            create_page(request.registry, tool.project.doc, tool.doc, name, name, WELCOME,
                        request.user, comment="created from the empty wiki")
        except ActionError as error:
            return error_response(request, error.status, "Not created",
                                  str(refusal(request, tool, error)))
        request.session.flash("Page “%s” created." % name)
        return redirect(request, request.forge_url(tool, name, ""))

    @view_config(name="new", renderer="tools.wiki:templates/wiki/form.jinja2", permission="create")
    def new(self):
        return self.new_page()

    @view_config(name="preview", request_method="POST", permission="create")
    def preview(self):
        return self.markdown_preview()

    @view_config(page_cache=True, name="index", request_method="GET", renderer="tools.wiki:templates/wiki/index.jinja2",
                 permission="read")
    def index(self):
        """Every readable page as a tree by path: one query for the whole wiki."""
        request, tool = self.request, self.context
        raws = collection(WikiPage).find({"tool_id": tool.doc._id, "deleted": False},
                                         LIST_FIELDS)
        nodes = [n for n in tool.nodes_from(raws) if request.can("read", n)]
        return {"nodes": nodes, "may_create": request.can("create", tool),
                "may_delete": request.can("delete", tool)}

    @view_config(name="recent", request_method="GET", renderer="tools.wiki:templates/wiki/recent.jinja2",
                 page_cache=True, permission="read")
    def recent(self):
        """Pages by last change, newest first, with who made it and why."""
        request, tool = self.request, self.context
        candidates = collection(WikiPage).find(
            {"tool_id": tool.doc._id, "deleted": False}, LIST_FIELDS).sort("modified", -1)
        families = {}
        page = readable_page(request, candidates,
                             lambda raw: tool.node_in_family(raw["path"], families),
                             page=page_number(request), size=RECENT_PAGE_SIZE)
        rows = []
        for node in page.items:
            snap = Snapshot.query.get(artifact_id=node.doc._id, version=node.doc.version)
            rows.append({"node": node, "snapshot": snap})
        names = usernames(r["snapshot"].author_id for r in rows if r["snapshot"])
        return {"page": page, "rows": rows, "names": names}

    @view_config(name="deleted", request_method="GET", renderer="tools.wiki:templates/wiki/deleted.jinja2",
                 permission="delete")
    def deleted(self):
        """The deleted pages this user could read were they not deleted."""
        request, tool = self.request, self.context
        raws = list(collection(WikiPage).find({"tool_id": tool.doc._id, "deleted": True},
                                              LIST_FIELDS).sort("path", 1).limit(1000))
        nodes = stored_nodes(tool, [raw["path"] for raw in raws])
        shown = [nodes[raw["path"]] for raw in raws
                 if nodes[raw["path"]] is not None and request.can("read", nodes[raw["path"]])]
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
            back = undelete_page(request.registry, doc, request.user)
        except ActionError as error:
            return error_response(request, error.status, "Not undeleted", str(error))
        more = " with %d sub-pages" % (len(back) - 1) if len(back) > 1 else ""
        request.session.flash("Undeleted “%s”%s." % (doc.title, more))
        return redirect(request, request.forge_url(tool, *doc.path.split("/")) + "/")

    @view_config(name="options", renderer="tools.wiki:templates/wiki/options.jinja2", permission="admin")
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
