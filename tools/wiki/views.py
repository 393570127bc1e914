"""The wiki's pages that differ from the core's: a page's display, recent changes and
previews with ``[[links]]``.  The rest is the core's: ``@@new``, ``@@edit``, the
history pages, and the tree pages (``forge.api.TreeViews``: home, ``@@options``,
``@@rename``, ``@@delete``, ``@@index``, ``@@deleted``, ``@@undelete``, old addresses)
under the wiki's navigation (``WikiTool.nav_template``).
"""
from markupsafe import Markup
from pyramid.renderers import render
from pyramid.view import view_config, view_defaults

from forge.api import (Snapshot, TreeArtifactViews, TreeToolViews, attachments_of, collection,
                       generation_cached, live_nodes, page_number, readable_page,
                       reader_cached, shown_field_values, thread_view, usernames)

from .model import WikiPage, shown_page
from .render import render_page, render_wiki_markdown
from .resources import IWikiPage, IWikiTool


class WikiLinksPreview:
    """``@@preview`` renders ``[[links]]`` too."""

    def render_preview(self, text):
        return render_wiki_markdown(self.request, self.tool, self.context, text)


def page_attachments(request, artifact_id):
    """The page's attachments; most pages have none, and whether one has is
    kept while nothing is written (``generation_cached``), so such a page
    reads no attachment."""
    found = []

    def load():
        found.extend(attachments_of(artifact_id))
        return bool(found)
    if not generation_cached(request, ("has-attachments", artifact_id), load):
        return []
    return found or attachments_of(artifact_id)


def kept_page(request, page):
    """The page's content (all but the site's chrome) as HTML, kept per
    reader while nothing is written (``reader_cached``: its forms carry the
    reader's CSRF token, its buttons, sub-pages, ``[[links]]`` and comments
    follow their permissions, the watch button whether they watch) under the
    page's URL, which names the page and where its links point.  The view
    reads no query string (old versions are ``@@version?v=N``, a view of its
    own), so none is in the key: ``?anything`` is the same page and adds no
    entry.  A reader's next views render none of it."""
    return reader_cached(request, ("wiki-page", page._doc._id, request.path_url),
                         lambda: Markup(render(CONTENT, page_values(request, page), request)))


def page_values(request, page):
    doc = shown_page(page)      # read as stored: the page changes nothing
    tool = page.tool_node
    return {"page": page, "node": page, "doc": doc,
            "html": render_page(request, tool, page, doc),
            "children": [c for c in page.children() if request.can("read", c)],
            "fields": shown_field_values(request, tool, doc),
            "attachments": page_attachments(request, doc._id),
            "thread": thread_view(request, page, kept_whole=True),
            **{"may_" + p: request.can(p, page) for p in ("create", "update", "delete",
                                                           "admin")}}


CONTENT = "tools.wiki:templates/wiki/_page.jinja2"


@view_defaults(context=IWikiPage)
class PageViews(WikiLinksPreview, TreeArtifactViews):

    @view_config(page_cache=True, name="", request_method="GET", permission="read",
                 renderer="tools.wiki:templates/wiki/page.jinja2")
    def show(self):
        return {"page": self.context, "content": kept_page(self.request, self.context)}

    @view_config(name="preview", request_method="POST", permission="update")
    def preview(self):
        return self.markdown_preview()


@view_defaults(context=IWikiTool)
class WikiToolViews(WikiLinksPreview, TreeToolViews):

    @view_config(name="preview", request_method="POST", permission="create")
    def preview(self):
        return self.markdown_preview()

    @view_config(page_cache=True, name="recent", request_method="GET", permission="read",
                 renderer="tools.wiki:templates/wiki/recent.jinja2")
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
