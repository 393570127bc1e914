"""The wiki's pages that differ from the core's: a page's display, the tool's home,
recent changes and options, previews with ``[[links]]``, and the core's tree pages
(``forge.api.TreeViews``: rename, index, deleted) under the wiki's navigation.
``@@new``, ``@@edit``, ``@@delete``, ``@@undelete``, old addresses and the history
pages are the core's.
"""
from pyramid.view import view_config, view_defaults

from forge.api import (ActionError, Snapshot, TreeArtifactViews, TreeToolViews, attachments_of,
                       collection, error_response, form_version, live_nodes, page_number,
                       readable_page, redirect, shown_field_values, thread_view, usernames)

from .actions import create_page, set_home
from .model import WikiPage
from .render import render_page, render_wiki_markdown
from .resources import IWikiPage, IWikiTool

TEMPLATES = "tools.wiki:templates/wiki/"
WELCOME = ("Welcome to the wiki of this project.\n\nEdit this page to say what the project "
           "is about, and link other pages with `[[Page Name]]`: a page that does not exist "
           "yet shows as a link that creates it.\n")


class WikiLinksPreview:
    def render_preview(self, text):
        return render_wiki_markdown(self.request, self.tool, self.context, text)


@view_defaults(context=IWikiPage)
class PageViews(WikiLinksPreview, TreeArtifactViews):

    @view_config(page_cache=True, name="", request_method="GET", permission="read",
                 renderer=TEMPLATES + "page.jinja2")
    def show(self):
        request, page = self.request, self.context
        return {"page": page, "html": render_page(request, self.tool, page),
                "children": [c for c in page.children() if request.can("read", c)],
                "attachments": attachments_of(page.doc._id),
                "thread": thread_view(request, page),
                "fields": shown_field_values(request, self.tool, page.doc),
                **{"may_" + p: request.can(p, page) for p in ("create", "update", "delete",
                                                               "admin")}}

    @view_config(name="preview", request_method="POST", permission="update")
    def preview(self):
        return self.markdown_preview()

    @view_config(name="rename", permission="update", renderer=TEMPLATES + "rename.jinja2")
    def move(self):
        return super().move()


@view_defaults(context=IWikiTool)
class WikiToolViews(WikiLinksPreview, TreeToolViews):

    @view_config(page_cache=True, name="", request_method="GET", permission="read",
                 renderer=TEMPLATES + "tool.jinja2")
    def home(self):
        """The home page, or an empty state offering to create it: a GET never
        writes, and the page is the same whether an unreadable page holds the name."""
        request, tool = self.request, self.context
        node = tool.node_at(tool.home_name)
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
                                  str(self.refusal(error)))
        request.session.flash("Page “%s” created." % name)
        return redirect(request, request.forge_url(tool, *name.split("/")) + "/")

    @view_config(name="preview", request_method="POST", permission="create")
    def preview(self):
        return self.markdown_preview()

    @view_config(page_cache=True, name="index", request_method="GET", permission="read",
                 renderer=TEMPLATES + "index.jinja2")
    def index(self):
        return super().index()

    @view_config(page_cache=True, name="recent", request_method="GET", permission="read",
                 renderer=TEMPLATES + "recent.jinja2")
    def recent(self):
        """Pages by last change, newest first, with who made it and why."""
        request, tool = self.request, self.context
        nodes = {n.doc.path: n for n in live_nodes(tool, self.kind)}
        candidates = collection(WikiPage).find({"tool_id": tool.doc._id, "deleted": False},
                                               {"text": 0}).sort("modified", -1)
        page = readable_page(request, candidates, lambda raw: nodes.get(raw["path"]),
                             page=page_number(request), size=25)
        rows = [{"node": node, "snapshot": Snapshot.query.get(artifact_id=node.doc._id,
                                                              version=node.doc.version)}
                for node in page.items]
        names = usernames(r["snapshot"].author_id for r in rows if r["snapshot"])
        return {"page": page, "rows": rows, "names": names}

    @view_config(name="deleted", request_method="GET", permission="delete",
                 renderer=TEMPLATES + "deleted.jinja2")
    def deleted(self):
        return super().deleted()

    @view_config(name="options", permission="admin", renderer=TEMPLATES + "options.jinja2")
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
