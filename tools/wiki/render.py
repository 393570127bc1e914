"""A page's HTML: the core's safe Markdown and short links, plus ``[[Page Name]]``.

The core (``forge.links``, ``forge.rendering``) renders ``[#12]``,
``[mount:thing]``, ``[project:mount:thing]`` and, through the resolver given
here, ``[[Name]]``: a link to the wiki page at that path, or, when there is no
such page, a ``missing`` link to the wiki's ``@@new?title=Name``.

Whether a linked page exists changes without the linking page changing, so
the link context's key of a page with ``[[`` includes the wiki's link
generation (``WikiLinkState``, moved by create, rename, delete, undelete): one
indexed read per view, and none for a page without ``[[``.  Existence is
told from the stored pages alone (cached HTML is shared by every viewer), so
a link to a private page shows as existing; following it answers 404 to
those who may not read it.
"""
from forge.links import link_context
from forge.names import InvalidName, check_artifact_path
from forge.rendering import render_markdown, render_versioned

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
        if page is not None and not page.deleted:
            return url(self.tool, *path.split("/")) + "/", True
        return url(self.tool, "@@new", query={"title": path}), False


def links_for(request, tool, node, text):
    """The link context of Markdown ``text`` shown on ``node``'s page."""
    key = ("wiki", link_generation(tool.doc._id)) if "[[" in (text or "") else ("wiki",)
    return link_context(request, node, wiki_links=WikiLinks(request, tool), key=key)


def render_wiki_markdown(request, tool, node, text):
    """Markdown -> safe HTML with all links; not cached (previews)."""
    return render_markdown(text, links=links_for(request, tool, node, text))


def render_page(request, tool, node):
    """The page's current version as HTML, once per (version, link key)."""
    doc = node.doc
    return render_versioned(doc._id, doc.version, doc.text,
                            links=links_for(request, tool, node, doc.text))
