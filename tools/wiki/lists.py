"""The wiki's own pages: home, new page, page index, recent changes, deleted pages
(with undelete) and the home page setting.

Every list shows only pages the viewer may read, on nodes with their full
lineage (a private page hides its sub-pages too), before paging; deleted pages
on the lineage they had (``tools.wiki.lineage``), deleted ancestors included.
"""
from pyramid.view import view_config, view_defaults

from forge.api import (ActionError, Snapshot, collection, error_response, form_version,
                       page_number, readable_page, redirect, undelete_artifact, usernames)

from .actions import create_page, set_home
from .lineage import LINEAGE_FIELDS, live_nodes, stored_nodes
from .model import WikiPage
from .resources import IWikiTool
from .views import FORM, WikiViews, page_url, refusal

WELCOME = ("Welcome to the wiki of this project.\n\n"
           "Edit this page to say what the project is about, and link other pages "
           "with `[[Page Name]]`: a page that does not exist yet shows as a link "
           "that creates it.\n")


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

    @view_config(name="new", renderer=FORM, permission="create")
    def new(self):
        return self.new_page()

    @view_config(name="preview", request_method="POST", permission="create")
    def preview(self):
        return self.markdown_preview()

    def pages(self, deleted):
        return collection(WikiPage).find({"tool_id": self.context.doc._id, "deleted": deleted},
                                         LINEAGE_FIELDS)

    @view_config(page_cache=True, name="index", request_method="GET", permission="read",
                 renderer="tools.wiki:templates/wiki/index.jinja2")
    def index(self):
        """Every readable page as a tree by path: one query for the whole wiki."""
        request = self.request
        return {"nodes": [n for n in live_nodes(self.context, self.pages(False))
                          if request.can("read", n)]}

    @view_config(page_cache=True, name="recent", request_method="GET", permission="read",
                 renderer="tools.wiki:templates/wiki/recent.jinja2")
    def recent(self):
        """Pages by last change, newest first, with who made it and why."""
        request, tool, families = self.request, self.context, {}
        page = readable_page(request, self.pages(False).sort("modified", -1),
                             lambda raw: tool.node_in_family(raw["path"], families),
                             page=page_number(request), size=25)
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
        paths = [raw["path"] for raw in self.pages(True).sort("path", 1).limit(1000)]
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

    @view_config(name="options", permission="admin", renderer="tools.wiki:templates/wiki/options.jinja2")
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
