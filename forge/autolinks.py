"""Bare ``#12`` and ``@name`` in Markdown: marked when the text is rendered,
turned into links for each reader afterwards.

Rendered HTML is cached per text (``forge.rendering.render_versioned``), but
whether ``#12`` may become a link depends on the reader and on the tracker
now: the ticket must exist and the reader must be allowed to read it, and a
link (or its title) must never tell anyone else that a private ticket
exists.  So the Markdown rule only marks the reference
(``<span class="forge-ref">#12</span>``, which survives the sanitiser and
is cached like the rest), and ``resolve_marks(html, links)`` replaces each
mark with a link after the cache, with the ``forge.links.LinkContext`` of
the page: the first ``hash_links`` tool of the project the reader may read,
the artifact numbered 12 in it, not deleted, readable by this reader.
Anything else stays the text it was.

``@name`` is marked the same way and links to the user's profile when an
enabled account has that name (profiles are public; users are read through
the tree cache).  ``forge.mentions`` notifies the people mentioned.

A mark is only recognised after a space, the start of the text or an
opening parenthesis or quote, so ``a#1``, ``[#1]`` (a short link), URLs'
fragments and e-mail addresses (``bob@example.com``) are left alone; code
spans and blocks keep the text.
"""
import re

from markupsafe import Markup, escape

from .names import USERNAME

# what may come before a mark (start of text, whitespace, opening punctuation)
BEFORE = set(" \t\n\r({,;\"'*_~")
REFERENCE = re.compile(r"#(\d{1,9})(?![\w#])")
MENTION = re.compile(r"@([a-z0-9][a-z0-9_-]{0,31})(?![\w@])")
MARK = re.compile(r'<span class="forge-(ref|mention)">(?:#|@)([a-z0-9_-]{1,32})</span>')
#: mentions notified and references resolved per text, at most
MAX_MARKS = 50


def mention_name(candidate):
    """A username from the text after ``@``, or None: trailing ``-``/``_``
    are punctuation ("@bob-"), not part of the name."""
    name = candidate.rstrip("-_")
    return name if USERNAME.match(name) else None


def _mark_rule(state, silent):
    src, pos = state.src, state.pos
    char = src[pos]
    if char not in "#@" or state.linkLevel > 0:
        return False
    if pos > 0 and src[pos - 1] not in BEFORE:
        return False
    if char == "#":
        match = REFERENCE.match(src, pos)
        value = match.group(1) if match else None
    else:
        match = MENTION.match(src, pos)
        value = mention_name(match.group(1)) if match else None
    if value is None:
        return False
    if not silent:
        token = state.push("forge_mark", "span", 0)
        token.meta = {"kind": "ref" if char == "#" else "mention", "value": value}
    state.pos = pos + 1 + len(value)
    return True


def _render_mark(self, tokens, idx, options, env):
    meta = tokens[idx].meta
    sign = "#" if meta["kind"] == "ref" else "@"
    return '<span class="forge-%s">%s%s</span>' % (meta["kind"], sign, escape(meta["value"]))


def add_marks(parser):
    """Give a MarkdownIt parser the ``#12`` / ``@name`` rule."""
    parser.inline.ruler.before("linkify", "forge_mark", _mark_rule)
    parser.add_render_rule("forge_mark", _render_mark)
    return parser


def resolve_marks(html, links):
    """Sanitised HTML (``Markup``) with its marks made links for ``links``'
    reader (see the module docstring); ``links`` None leaves the marks as
    text, and HTML without marks is returned as it is (the cached object)."""
    if links is None or "forge-" not in html:
        return html
    seen = set()

    def replace(match):
        kind, value = match.group(1), match.group(2)
        seen.add((kind, value))
        found = None
        if len(seen) <= MAX_MARKS:
            found = (links.hash_reference(int(value)) if kind == "ref" and value.isdigit()
                     else links.mention(value) if kind == "mention" else None)
        if not found:
            return match.group(0)
        href, title = found
        css = "ticket-ref" if kind == "ref" else "mention"
        return '<a class="%s" href="%s" title="%s">%s%s</a>' % (
            css, escape(href), escape(title), "#" if kind == "ref" else "@", value)

    return Markup(MARK.sub(replace, str(html)))


def mentioned_names(text):
    """The usernames ``text`` mentions (as the renderer marks them: not in
    code, not in e-mail addresses), in order, each once, at most MAX_MARKS."""
    from .rendering import marks_in
    return [value for kind, value in marks_in(text) if kind == "mention"][:MAX_MARKS]
