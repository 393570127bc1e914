"""Every table header cell of every template says what its column holds: an
empty ``<th>`` (an action column's) is read by a screen reader as nothing,
so its name is visually hidden instead (axe: empty-table-header)."""
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent
EMPTY_HEADER = re.compile(r"<th\b[^>]*>\s*</th>")


def templates():
    for top in ("forge", "tools"):
        yield from sorted((ROOT / top).rglob("*.jinja2"))


def test_no_template_has_an_empty_table_header():
    empty = ["%s:%d" % (path.relative_to(ROOT), text[:match.start()].count("\n") + 1)
             for path in templates()
             for text in [path.read_text(encoding="utf-8")]
             for match in EMPTY_HEADER.finditer(text)]
    assert empty == []
