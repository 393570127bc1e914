"""``forge.search.query.highlight``: the fragment escaped, highlights in <mark>."""
from types import SimpleNamespace

from markupsafe import Markup

from forge.search.query import highlight


class Snippet:
    def __init__(self, fragment, spans):
        self._fragment, self._spans = fragment, spans

    def fragment(self):
        return self._fragment

    def highlighted(self):
        return [SimpleNamespace(start=s, end=e) for s, e in self._spans]


def test_everything_is_escaped_and_marked_by_byte_offsets():
    text = "Zébra <b>&amp; \"zèbre\" <i>"
    data = text.encode("utf-8")
    first = data.index(b"<b>")
    second = data.index("zèbre".encode("utf-8"))
    spans = [(second, second + len("zèbre".encode("utf-8"))), (first, first + 3)]
    html = highlight(Snippet(text, spans))
    assert isinstance(html, Markup)
    assert html == ("Zébra <mark>&lt;b&gt;</mark>&amp;amp; &#34;<mark>zèbre</mark>&#34; "
                    "&lt;i&gt;")


def test_overlapping_spans_are_marked_once():
    html = highlight(Snippet("abcdef", [(1, 4), (2, 3), (4, 5)]))
    assert html == "a<mark>bcd</mark><mark>e</mark>f"
