"""forge.rendering.markdown_to_text: what a reader sees of Markdown, for
excerpts in activity and the search index."""
import pytest

from forge.rendering import markdown_to_text


@pytest.mark.parametrize("source,text", [
    ("# Title\n\nSome **bold** and _em_.", "Title Some bold and em."),
    ("[the plan](http://example.test/plan) and <http://x.test>", "the plan and http://x.test"),
    ("- one\n- two\n\n1. three", "one two three"),
    ("`<b>code</b>` &amp; more", "<b>code</b> & more"),
    ("<script>alert(1)</script>Hidden?", "Hidden?"),
    ("a\n\n\n\n   b", "a b"),
    ("", ""),
    (None, ""),
])
def test_markdown_to_text(source, text):
    assert markdown_to_text(source) == text
