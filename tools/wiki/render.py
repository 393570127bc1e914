"""A page's HTML: the core's safe Markdown and short links, plus ``[[Page Name]]``.

The core (``forge.links``, ``forge.rendering``) renders ``[#12]``,
``[mount:thing]``, ``[project:mount:thing]`` and, through the resolver given
here, ``[[Name]]``: a link to the wiki page at that path, or, when there is no
such page, a ``missing`` link to the wiki's ``@@new?title=Name``.

A page the reader may not read is linked exactly like a missing one (so a
link never tells that a private page exists).  Whether a linked page exists
and may be read changes without the linking page changing, so the link
context's key of a page with ``[[`` holds the wiki's link generation
(``WikiLinkState``, moved by create, rename, delete, undelete and a page's
ACL change) and the reader's principals: one indexed read per view, none for
a page without ``[[``, and no reader is ever given HTML rendered for another.
"""
from forge.api import (InvalidName, check_artifact_path, link_context, render_markdown,
                       render_versioned)

from .model import WikiPage, link_generation


class WikiLinks:
    """Resolves ``[[...]]`` targets of one wiki: (href, exists), or None for a
    name no page could have (it stays text)."""

    def __init__(self, request, tool):
        self.request = request
        self.tool = tool

    def __call__(self, target):
        try:
            path = check_artifact_path(target)
        except InvalidName:
            return None
        page = WikiPage.query.get(tool_id=self.tool.doc._id, path=path)
        url = self.request.forge_url
        if page is not None and not page.deleted and self.readable(path):
            return url(self.tool, *path.split("/")) + "/", True
        return url(self.tool, "@@new", query={"title": path}), False

    def readable(self, path):
        """Whether the reader may read the page at ``path``, on its lineage."""
        node = self.tool.page_at(path)
        return node is not None and self.request.can("read", node)


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
