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

Short links (``[#12]``, ``[wiki:Page]``, ``[project:tool:thing]``, ``[[Page]]``)
become links when a ``forge.links.LinkContext`` is passed as ``links``; the
rule is an inline rule, so code spans and blocks keep them as text, and its
output goes through the sanitiser like everything else::

    html = render_versioned(doc._id, doc.version, doc.text,
                            links=link_context(request, node))

Beyond CommonMark: tables, strikethrough, bare URLs made links (linkify-it),
task lists (``- [ ]`` / ``- [x]``: disabled checkboxes), and bare ``#12`` and
``@name``, which are marked when rendered and made links per reader after the
cache (``forge.autolinks``).
"""
import hashlib
import re
import threading
from html import unescape as html_unescape
from collections import OrderedDict

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup
from mdit_py_plugins.tasklists import tasklists_plugin
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

from .autolinks import add_marks, resolve_marks

MAX_CACHED = 2048
# which pygments style forge.css carries (see the "rendering" section there)
PYGMENTS_STYLE = "default"

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "div", "dl",
    "dt", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li",
    "input", "label", "mark", "ol", "p", "pre", "q", "s", "samp", "small", "span", "strike",
    "strong", "sub",
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
    "input": {"checked"},
}
# a task list's checkbox (and any <input> in raw HTML) is always a disabled checkbox
FORCED_ATTRIBUTES = {"input": {"type": "checkbox", "disabled": "disabled"}}
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


# the classes short links carry (the only classes a rendered link may have)
LINK_CLASSES = {"short-link", "wiki-link", "missing"}
# the classes of other tags that only the renderer may set
ALLOWED_CLASSES = {"a": LINK_CLASSES, "ul": {"contains-task-list"},
                   "li": {"task-list-item"}, "input": {"task-list-item-checkbox"}}
SHORT_LINK = re.compile(r"\[(?:#(\d{1,9})|([A-Za-z0-9][\w.\-/]{0,99}):([^\[\]\n]{1,200}))\]")
WIKI_LINK = re.compile(r"\[\[([^\[\]\n]{1,300})\]\]")


def _push_link(state, href, text, css):
    token = state.push("link_open", "a", 1)
    token.attrSet("href", href)
    token.attrSet("class", css)
    content = state.push("text", "", 0)
    content.content = text
    state.push("link_close", "a", -1)


def _short_link_rule(state, silent):
    """``[#12]``, ``[mount:thing]``, ``[project:mount:thing]``, ``[[Name]]``."""
    src, pos = state.src, state.pos
    links = state.env.get("forge_links") if isinstance(state.env, dict) else None
    if links is None or src[pos] != "[" or state.linkLevel > 0:
        return False
    if src.startswith("[[", pos):
        match = WIKI_LINK.match(src, pos)
        found = links.wiki_link(match.group(1).strip()) if match else None
        if not found:
            return False
        href, exists = found
        if not silent and href is None:
            # a missing page this reader may not create: its name, no link
            state.push("text", "", 0).content = match.group(1).strip()
        elif not silent:
            _push_link(state, href, match.group(1).strip(),
                       "wiki-link" if exists else "wiki-link missing")
        state.pos = match.end()
        return True
    match = SHORT_LINK.match(src, pos)
    if match is None or src[match.end():match.end() + 1] in ("(", "[", ":"):
        return False            # an ordinary link, reference or definition
    if match.group(1):
        href = links.hash_link(int(match.group(1)))
    else:
        href = links.short_link(match.group(2), match.group(3).strip())
    if not href:
        return False
    if not silent:
        _push_link(state, href, match.group(0)[1:-1], "short-link")
    state.pos = match.end()
    return True


def add_short_links(parser):
    """Give a tool's own MarkdownIt parser the short-link rule; render with
    ``env={"forge_links": link_context(...)}`` and sanitise with
    ``sanitize_html`` (which keeps the links' classes)."""
    parser.inline.ruler.before("link", "forge_short_link", _short_link_rule)
    return parser


TASK_CHECKBOX = '<input class="task-list-item-checkbox"'


def _label_tasks(state):
    """Wrap each task's checkbox and text in a ``<label>``: the checkbox is named
    by its task (screen readers, axe's "form elements have labels") without the
    ``id``/``for`` pair the plugin's own labels need (ids from users' text
    could clobber the page's)."""
    for token in state.tokens:
        children = token.children or []
        if token.type == "inline" and children and children[0].type == "html_inline" \
                and children[0].content.startswith(TASK_CHECKBOX):
            children[0].content = "<label>" + children[0].content
            close = type(children[0])("html_inline", "", 0)
            close.content = "</label>"
            children.append(close)


def forge_parser(**options):
    """The forge's MarkdownIt parser: CommonMark, tables, strikethrough,
    linkify, task lists, short links and ``#12`` / ``@name`` marks (a tool
    with a parser of its own starts from this one)."""
    parser = MarkdownIt("commonmark", {"highlight": _highlight, "linkify": True, **options})
    parser.enable(["table", "strikethrough", "linkify"])
    # URLs with a scheme and e-mail addresses only: a fuzzy "setup.py" or
    # "forge.links" would be a link to a host (.py is a country's domain)
    parser.linkify.set({"fuzzy_link": False})
    parser.use(tasklists_plugin, enabled=False)
    parser.core.ruler.after("github-tasklists", "forge_task_labels", _label_tasks)
    return add_marks(add_short_links(parser))


_parser = forge_parser()


def sanitize_html(html):
    """The allow-list sanitiser every user-supplied HTML goes through."""
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes=URL_SCHEMES, link_rel="nofollow noopener",
                     strip_comments=True, allowed_classes=ALLOWED_CLASSES,
                     set_tag_attribute_values=FORCED_ATTRIBUTES)


def render_markdown(text, links=None, marked=False):
    """Markdown source -> sanitised HTML, as ``Markup`` safe to put in a template.
    ``links`` (a ``forge.links.LinkContext``) turns short links into links, and
    bare ``#12`` / ``@name`` too unless ``marked`` (then they stay marks, for a
    cache shared by readers: ``render_versioned``)."""
    html = Markup(sanitize_html(_parser.render(text or "", {"forge_links": links})))
    return html if marked else resolve_marks(html, links)


def marks_in(text):
    """[(kind, value)] of the ``#12`` ("ref") and ``@name`` ("mention") marks
    the renderer makes of ``text``, in order, each once."""
    found = {}
    for token in _parser.parse(text or "", {"forge_links": None}):
        for child in token.children or ():
            if child.type == "forge_mark":
                found.setdefault((child.meta["kind"], child.meta["value"]), None)
    return list(found)


_BLOCK_END = re.compile(r"</(p|h[1-6]|li|pre|blockquote|tr|td|th|div)>|<br\s*/?>", re.I)


def markdown_to_text(text):
    """Markdown source -> the plain text a reader sees (no markup, no link
    targets, whitespace collapsed): for excerpts in activity and search."""
    html = _parser.render(text or "", {"forge_links": None})
    html = _BLOCK_END.sub(lambda m: m.group(0) + " ", html)
    plain = html_unescape(nh3.clean(html, tags=set(), strip_comments=True))
    return " ".join(plain.split())


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


def render_versioned(artifact_id, version, text, links=None):
    """``render_markdown`` once per (artifact, version, link context).

    The text's digest is part of the key so that a document changed without
    a new version (a migration, a test) is never served stale; so is
    ``links.key``, which changes when what the short links resolve to may
    have (a link context without a key is rendered every time).
    """
    if links is not None and not links.cacheable:
        return render_markdown(text, links)
    digest = hashlib.blake2b((text or "").encode("utf-8"), digest_size=16).digest()
    key = (str(artifact_id), version, digest, links.key if links is not None else None)
    html = render_cache.get(key)
    if html is None:
        # cached with its #12 / @name marks: what they become is per reader
        html = render_markdown(text, links, marked=True)
        render_cache.put(key, html)
    return resolve_marks(html, links)


def markdown_on(request, node, text, field="text"):
    """``text`` (a field of ``node``'s document) rendered as ``node``'s page
    shows Markdown: its link context, cached per version.  Templates call it
    as ``request.markdown(node, text)``."""
    from .links import link_context
    doc = node.doc
    return render_versioned("%s:%s" % (doc._id, field), getattr(doc, "version", 0), text,
                            links=link_context(request, node))


def pygments_css(selector=".rendered code"):
    """The CSS rules for highlighted code (what forge.css's section was made from)."""
    return HtmlFormatter(style=PYGMENTS_STYLE).get_style_defs(selector)
