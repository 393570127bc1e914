"""Safe Markdown: markdown-it-py, pygments for fenced code, nh3 to sanitise.

Users' Markdown may contain raw HTML (CommonMark allows it); whatever the
parser produces goes through nh3 with an allow-list, so no script, style,
event handler attribute or ``javascript:`` URL ever reaches a page.  Code
is highlighted with CSS classes (the rules are in ``forge.css``), never with
inline styles, which the sanitiser would strip.

Rendering costs far more than serving, so ``render_versioned`` keeps the HTML
of each (artifact, version) in a bounded in-process LRU: a version is
rendered once per process::

    html = render_versioned(note._id, note.version, note.text)
"""
import hashlib
import threading
from collections import OrderedDict

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

MAX_CACHED = 2048
# which pygments style forge.css carries (see the "rendering" section there)
PYGMENTS_STYLE = "default"

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "div", "dl",
    "dt", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li",
    "mark", "ol", "p", "pre", "q", "s", "samp", "small", "span", "strike", "strong", "sub",
    "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "code": {"class"},
    "pre": {"class"},
    "span": {"class"},
    "ol": {"start"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}
URL_SCHEMES = {"http", "https", "mailto"}

_formatter = HtmlFormatter(nowrap=True, style=PYGMENTS_STYLE)


def _highlight(code, lang, attrs):
    """markdown-it's highlight hook: pygments spans, or '' for markdown-it's own
    escaping when the language is unknown (it then wraps the result in
    ``<pre><code class="language-x">``)."""
    if not lang:
        return ""
    try:
        lexer = get_lexer_by_name(lang.strip().split()[0], stripall=False)
    except ClassNotFound:
        return ""
    return highlight(code, lexer, _formatter)


_parser = (MarkdownIt("commonmark", {"highlight": _highlight})
           .enable("table").enable("strikethrough"))


def sanitize_html(html):
    """The allow-list sanitiser every user-supplied HTML goes through."""
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes=URL_SCHEMES, link_rel="nofollow noopener",
                     strip_comments=True)


def render_markdown(text):
    """Markdown source -> sanitised HTML, as ``Markup`` safe to put in a template."""
    return Markup(sanitize_html(_parser.render(text or "")))


class _RenderCache:
    """A small thread-safe LRU of rendered HTML keyed by (id, version, digest)."""

    def __init__(self, size):
        self.size = size
        self._items = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            html = self._items.get(key)
            if html is not None:
                self._items.move_to_end(key)
            return html

    def put(self, key, html):
        with self._lock:
            self._items[key] = html
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def __len__(self):
        return len(self._items)

    def clear(self):
        with self._lock:
            self._items.clear()


render_cache = _RenderCache(MAX_CACHED)


def render_versioned(artifact_id, version, text):
    """``render_markdown`` once per (artifact, version).

    The text's digest is part of the key so that a document changed without
    a new version (a migration, a test) is never served stale.
    """
    digest = hashlib.blake2b((text or "").encode("utf-8"), digest_size=16).digest()
    key = (str(artifact_id), version, digest)
    html = render_cache.get(key)
    if html is None:
        html = render_markdown(text)
        render_cache.put(key, html)
    return html


def pygments_css(selector=".rendered code"):
    """The CSS rules for highlighted code (what forge.css's section was made from)."""
    return HtmlFormatter(style=PYGMENTS_STYLE).get_style_defs(selector)
