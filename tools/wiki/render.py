"""A page's HTML: safe Markdown plus ``[[Page Name]]`` links, rendered once.

``[[Name]]`` (or ``[[Name|label]]``) links to the wiki page at that path; a
page that does not exist gets ``class="missing"`` and links to the wiki's
``@@new?title=Name``.  The link is a markdown-it inline rule, so ``[[...]]``
inside code stays text, and the result goes through the core's sanitiser
allow-list (plus the one class it adds).

Whether a linked page exists changes without the linking page changing, so
the cache key of a page with ``[[`` includes the wiki's link generation
(``WikiLinkState``, moved by create, rename, delete, undelete).  A page
without ``[[`` costs no extra query.
"""
import hashlib
import re

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

from forge import rendering
from forge.names import InvalidName, check_artifact_path

from .model import WikiPage, link_generation

WIKI_LINK = re.compile(r"\[\[([^\[\]\n]{1,300})\]\]")
MAX_LINKS = 500

# the core parser's configuration, plus the wiki-link rule
_parser = (MarkdownIt("commonmark", {"highlight": rendering._highlight})
           .enable("table").enable("strikethrough"))


def _wiki_link_rule(state, silent):
    if not state.src.startswith("[[", state.pos):
        return False
    match = WIKI_LINK.match(state.src, state.pos)
    resolve = state.env.get("wiki_link") if isinstance(state.env, dict) else None
    if match is None or resolve is None:
        return False
    target, _, label = match.group(1).partition("|")
    found = resolve(target.strip())
    if found is None:
        return False
    if not silent:
        href, exists = found
        token = state.push("link_open", "a", 1)
        token.attrSet("href", href)
        if not exists:
            token.attrSet("class", "missing")
            token.attrSet("title", "Create the page “%s”" % target.strip())
        text = state.push("text", "", 0)
        text.content = (label or target).strip()
        state.push("link_close", "a", -1)
    state.pos = match.end()
    return True


_parser.inline.ruler.before("link", "wiki_link", _wiki_link_rule)


def sanitize(html):
    return nh3.clean(html, tags=rendering.ALLOWED_TAGS,
                     attributes=rendering.ALLOWED_ATTRIBUTES,
                     url_schemes=rendering.URL_SCHEMES, link_rel="nofollow noopener",
                     strip_comments=True, allowed_classes={"a": {"missing"}})


class WikiLinks:
    """Resolves ``[[...]]`` targets of one wiki for one render (memoised)."""

    def __init__(self, request, tool):
        self.request = request
        self.tool = tool
        self.seen = {}

    def __call__(self, target):
        if target in self.seen:
            return self.seen[target]
        if len(self.seen) >= MAX_LINKS:
            return None
        try:
            path = check_artifact_path(target)
        except InvalidName:
            result = None
        else:
            page = WikiPage.query.get(tool_id=self.tool.doc._id, path=path)
            url = self.request.forge_url
            if page is not None and not page.deleted:
                result = (url(self.tool, *path.split("/")) + "/", True)
            else:
                result = (url(self.tool, "@@new", query={"title": path}), False)
        self.seen[target] = result
        return result


def render_wiki_markdown(request, tool, text):
    """Markdown -> safe HTML with wiki links; not cached (previews)."""
    html = _parser.render(text or "", {"wiki_link": WikiLinks(request, tool)})
    return Markup(sanitize(html))


def render_page(request, tool, doc):
    """The page's current version as HTML, once per (version, link generation)."""
    text = doc.text or ""
    generation = link_generation(tool.doc._id) if "[[" in text else None
    digest = hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()
    key = ("wiki", str(doc._id), doc.version, digest, generation,
           request.forge_url(tool))
    html = rendering.render_cache.get(key)
    if html is None:
        html = render_wiki_markdown(request, tool, text)
        rendering.render_cache.put(key, html)
    return html
