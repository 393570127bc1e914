"""A page's HTML: the core's safe Markdown and short links, plus ``[[Page Name]]``.

``[[Name]]`` links the wiki page at that path, or, when there is none (or the
reader may not read it: a link never tells that a private page exists), is a
``missing`` link to the wiki's ``@@new?title=Name``.  Since that changes without
the linking page changing, the link key of a text with ``[[`` holds the wiki's
link generation (``WikiLinkState``) and the reader's principals: one indexed
read per view, none for a text without ``[[``.
"""
from forge.api import (InvalidName, check_artifact_path, link_context, render_markdown,
                       render_versioned)

from .model import WikiPage, link_generation


class WikiLinks:
    """Resolves ``[[...]]`` targets of one wiki: (href, exists), or None for a
    name no page could have (it stays text)."""

    def __init__(self, request, tool):
        self.request, self.tool = request, tool

    def __call__(self, target):
        try:
            path = check_artifact_path(target)
        except InvalidName:
            return None
        page = WikiPage.query.get(tool_id=self.tool.doc._id, path=path)
        url = self.request.forge_url
        if page is not None and not page.deleted:
            node = self.tool.page_at(path)         # read on its lineage
            if node is not None and self.request.can("read", node):
                return url(self.tool, *path.split("/")) + "/", True
        return url(self.tool, "@@new", query={"title": path}), False


def links_for(request, tool, node, text):
    """The link context of Markdown ``text`` shown on ``node``'s page."""
    key = (("wiki", link_generation(tool.doc._id), tuple(request.principals))
           if "[[" in (text or "") else ("wiki",))
    return link_context(request, node, wiki_links=WikiLinks(request, tool), key=key)


def render_wiki_markdown(request, tool, node, text):
    """Markdown -> safe HTML with all links; not cached (previews)."""
    return render_markdown(text, links=links_for(request, tool, node, text))


def render_page(request, tool, node):
    """The page's current version as HTML, once per (version, link key)."""
    doc = node.doc
    return render_versioned(doc._id, doc.version, doc.text,
                            links=links_for(request, tool, node, doc.text))
