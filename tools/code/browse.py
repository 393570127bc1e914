"""What the browsing pages show, from a repository and URL segments: no request here."""
import re

from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import TextLexer, get_lexer_for_filename
from pygments.util import ClassNotFound

from .repository import BadName, check_path

# past these a file or a diff is named, not shown (the raw file is always there)
MAX_SHOWN_BYTES = 512 * 1024
MAX_DIFF_BYTES = 1024 * 1024
README = re.compile(r"^readme(\.(md|markdown|txt))?$", re.IGNORECASE)
_formatter = HtmlFormatter(nowrap=True)


def is_binary(data):
    return b"\x00" in data[:8000]


def highlighted_lines(name, content):
    """The file's lines as highlighted HTML, one string per line."""
    try:
        lexer = get_lexer_for_filename(name, stripnl=False, ensurenl=False)
    except ClassNotFound:
        lexer = TextLexer(stripnl=False, ensurenl=False)
    html = highlight(content, lexer, _formatter)
    return _balanced_lines(html)


_SPAN = re.compile(r'(<span class="[^"]*">|</span>)')


def _balanced_lines(html):
    """Split highlighted HTML at newlines, closing open spans at each line's
    end and opening them again on the next, so each line stands alone (in its
    own table row with its anchor) whatever a lexer does with long tokens."""
    lines, current, open_spans = [], [], []
    for line in html.split("\n"):
        current = list(open_spans)
        for token in _SPAN.split(line):
            if token.startswith("<span"):
                open_spans.append(token)
            elif token == "</span>":
                if open_spans:
                    open_spans.pop()
            current.append(token)
        current.extend("</span>" for _ in open_spans)
        lines.append("".join(current))
    if lines and lines[-1] == "".join("</span>" for _ in open_spans):
        lines.pop()         # the file's final newline
    return lines


def split_diff(patch):
    """[{old, new, lines: [(kind, text)]}] per file of a ``diff-tree -p``."""
    files = []
    for line in patch.split("\n"):
        if line.startswith("diff --git "):
            files.append({"header": line[len("diff --git "):], "lines": [], "binary": False})
            continue
        if not files:
            continue
        if line.startswith("Binary files "):
            files[-1]["binary"] = True
        kind = ("add" if line.startswith("+") and not line.startswith("+++")
                else "del" if line.startswith("-") and not line.startswith("---")
                else "hunk" if line.startswith("@@") else "meta" if not line.startswith(" ")
                else "ctx")
        files[-1]["lines"].append((kind, line))
    for f in files:
        names = [t[6:] for k, t in f["lines"] if k == "meta" and t[:6] in ("--- a/", "+++ b/")]
        f["name"] = names[-1] if names else f["header"].split(" b/", 1)[-1]
        f["added"] = sum(1 for k, _ in f["lines"] if k == "add")
        f["removed"] = sum(1 for k, _ in f["lines"] if k == "del")
    return files


def breadcrumbs(path):
    """[(segment, path up to it)] of a tree path."""
    check_path(path)
    parts = path.split("/") if path else []
    return [(part, "/".join(parts[:i + 1])) for i, part in enumerate(parts)]


def readme_of(entries):
    for name, kind, _size, oid in entries:
        # the prefix test first: a directory may hold thousands of entries
        if kind == "blob" and name[:6].lower() == "readme" and README.match(name):
            return name, oid
    return None


def decode_text(data):
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def segments_of(subpath):
    segments = list(subpath)
    if any(s in ("", ".", "..") for s in segments):
        raise BadName("That is not a path in the repository.")
    return segments
