"""What forge.rendering makes of Markdown beyond CommonMark (tables, task
lists, bare URLs, the #12 / @name marks), always through the sanitiser."""
import re

import pytest

from forge.autolinks import mentioned_names
from forge.rendering import markdown_to_text, marks_in, render_markdown
from forge.testing_xss import XSS_CORPUS, active_content

TASKS = "- [ ] write it\n- [x] test it\n- not a task\n"


def test_task_lists_are_disabled_checkboxes():
    html = str(render_markdown(TASKS))
    boxes = re.findall(r"<input[^>]*>", html)
    assert len(boxes) == 2
    assert all('type="checkbox"' in b and 'disabled="disabled"' in b for b in boxes)
    assert "checked" not in boxes[0] and 'checked="checked"' in boxes[1]
    assert '<ul class="contains-task-list">' in html
    assert html.count('<li class="task-list-item">') == 2
    # each checkbox is labelled by its task (no ids: a label around both)
    assert re.findall(r"<label><input[^>]*>([^<]*)</label>", html) == [" write it", " test it"]


def test_raw_inputs_become_disabled_checkboxes_too():
    html = str(render_markdown('<input type="text" name="q" value="x" autofocus>'))
    boxes = re.findall(r"<input([^>]*)>", html)
    assert len(boxes) == 1
    assert sorted(boxes[0].split()) == ['disabled="disabled"', 'type="checkbox"']


def test_tables_render():
    html = str(render_markdown("| a | b |\n|---|:-:|\n| 1 | 2 |\n"))
    assert "<table>" in html and "<th>a</th>" in html and "<td>1</td>" in html


@pytest.mark.parametrize("text, href", [
    ("see https://example.org/a?b=1.", "https://example.org/a?b=1"),
    ("http://example.org/x", "http://example.org/x"),
    ("write to bob@example.org", "mailto:bob@example.org"),
])
def test_bare_urls_become_links(text, href):
    assert 'href="%s"' % href in str(render_markdown(text))


@pytest.mark.parametrize("text", ["setup.py and forge.links", "javascript:alert(1)",
                                  "data:text/html,<b>x</b>", "`https://example.org/`"])
def test_no_link_from_file_names_script_schemes_or_code(text):
    assert "<a " not in str(render_markdown(text))


def test_marks_only_where_a_reference_or_mention_begins():
    assert marks_in("#12 (#3) @bob, x#4 bob@example.org `#5 @ann` [#6] @bob #12") == [
        ("ref", "12"), ("ref", "3"), ("mention", "bob")]
    assert mentioned_names("@ann- @Bob @b_c @" + "x" * 40) == ["ann", "b_c"]


def test_plain_text_keeps_references_and_mentions():
    assert markdown_to_text("- [x] fix #12 for @bob\n\n| a |\n|---|\n| b |") == \
        "fix #12 for @bob a b"


# the payloads of the new syntax, on top of the forge's corpus
NEW_SYNTAX_XSS = (
    "- [ ] <img src=x onerror=alert('t1')>",
    "- [x] [t](javascript:alert('t2'))",
    "- [ ] <input type=text onfocus=alert('t3') autofocus>",
    "| <script>alert('t4')</script> | a |\n|---|---|\n| <img src=x onerror=alert(5)> | b |",
    "| [x](javascript:alert('t6')) |\n|---|\n| <svg onload=alert(7)> |",
    "https://example.org/\"onmouseover=alert('t8')",
    "http://x.org/<svg/onload=alert('t9')>",
    "@\"><svg onload=alert('t10')>",
    "#1\"><script>alert('t11')</script>",
    "<span class=\"forge-ref\">#1\" onclick=\"alert('t12')</span>",
    "<span class=\"forge-mention\" onclick=\"alert('t13')\">@bob</span>",
    "<ul class=\"contains-task-list\" style=\"x\">"
    "<li class=\"task-list-item\" onclick=x>i</li></ul>",
    "javascript:alert('t14')//https://example.org/",
)


@pytest.mark.parametrize("payload", XSS_CORPUS + NEW_SYNTAX_XSS)
def test_the_new_syntax_stays_inert(payload):
    for text in (payload, "- [ ] " + payload, "| %s |\n|---|\n| %s |" % (payload, payload),
                 "#1 @bob " + payload):
        html = str(render_markdown(text))
        assert active_content(html) == [], (text, html)
        # only the classes the sanitiser allows on these tags survive
        for tag, css in re.findall(r'<(a|ul|li|input)\b[^>]*class="([^"]*)"', html):
            assert set(css.split()) <= {
                "a": {"short-link", "wiki-link", "missing"}, "ul": {"contains-task-list"},
                "li": {"task-list-item"}, "input": {"task-list-item-checkbox"}}[tag], html
