"""A page's HTML: the core's safe Markdown and short links, plus ``[[Page Name]]``.

``[[Name]]`` links the page at that path or, when there is none or the reader
may not read it (a link never tells that a private page exists), is a
``missing`` link to ``@@new?title=Name`` (for anonymous readers too, who are
sent to sign in; a signed-in reader who may not create pages sees the name
without a link).  That changes without the linking
page changing, so the link key of a text with ``[[`` holds the wiki's link
generation and the reader's principals (one indexed read per view).
"""
from forge.api import (InvalidName, check_artifact_path, link_context, render_markdown,
                       render_versioned)

from .model import link_generation


def wiki_links(request, tool):
    """Resolves ``[[...]]``: (href, exists), or None for a name no page could have."""
    def resolve(target):
        try:
            path = check_artifact_path(target)
        except InvalidName:
            return None
        node = tool.node_at(path)           # read on its lineage
        if node is not None and request.can("read", node):
            return request.forge_url(tool, *path.split("/")) + "/", True
        if request.user is not None and not request.can("create", tool):
            return None, False      # no "create it" link to whoever may not
        return request.forge_url(tool, "@@new", query={"title": path}), False
    return resolve


def links_for(request, tool, node, text):
    key = (("wiki", link_generation(tool.doc._id), tuple(request.principals))
           if "[[" in (text or "") else ("wiki",))
    return link_context(request, node, wiki_links=wiki_links(request, tool), key=key)


def render_wiki_markdown(request, tool, node, text):
    """Markdown -> safe HTML with all links; not cached (previews)."""
    return render_markdown(text, links=links_for(request, tool, node, text))


def render_page(request, tool, node, doc=None):
    """The page's current version as HTML, once per (version, link key);
    ``doc``: the page as the view read it (default ``node.doc``)."""
    doc = node.doc if doc is None else doc
    return render_versioned(doc._id, doc.version, doc.text,
                            links=links_for(request, tool, node, doc.text))
