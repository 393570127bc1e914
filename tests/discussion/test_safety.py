"""Private artifacts keep their comments private; hostile Markdown renders inert;
attachments ride on posts."""
import re

import pytest

from forge.discussion.model import Post
from forge.model import OutboxEvent, session
from forge.testing import forge_test_settings

from .conftest import FIXTURE_TOOL, TOPICS

URL = TOPICS + "intro/"
SECRET = TOPICS + "secret/"

XSS = [
    "<script>alert('x1')</script>",
    "[click](javascript:alert('x2'))",
    "<a href=\"javascript:alert('x3')\">link</a>",
    "<img src=x onerror=\"alert('x4')\">",
    "<svg onload=\"alert('x5')\"></svg>",
    "<iframe src=\"https://evil.test/\"></iframe>",
    "![img](javascript:alert('x6'))",
    "<div style=\"background:url(javascript:alert('x7'))\">styled</div>",
    "<a href=\"&#106;avascript:alert('x8')\">entity</a>",
    "[ref]: javascript:alert('x9')\n\n[ref]",
]


def posts():
    session.close()
    return Post.query.find({}).sort("slug", 1).all()


def discussion_html(html):
    return html[html.index('id="discussion"'):]


def test_comments_on_a_private_artifact_stay_private(make_topic, browser_for):
    make_topic("secret", private=True)        # developers and ada
    dev = browser_for("dev")
    dev.post_form(SECRET + "@@post", {"text": "internal remark"}, status=302)
    post = posts()[0]
    for who in ("out", "mem", None):
        browser = browser_for(who)
        assert browser.get(SECRET, status=404).status_int == 404
        browser.get(SECRET + "@@post-history", {"post_id": post._id}, status=404)
        browser.get(SECRET + "@@post-edit", {"post_id": post._id}, status=404)
        if who:
            browser.post_form(SECRET + "@@post", {"text": "let me in"}, status=404)
            browser.post_form(SECRET + "@@post-delete", {"post_id": post._id}, status=404)
    assert [p.text for p in posts()] == ["internal remark"]
    assert "internal remark" in dev.get(SECRET).text
    # the post's event names the artifact's path, so listeners check its ACL
    record = OutboxEvent.query.get(topic="topics.post.created")
    assert record.message["path"] == "secret" and record.message["node_type"] == "Post"


@pytest.mark.parametrize("text", XSS)
def test_hostile_markdown_renders_inert(make_topic, browser_for, text):
    make_topic("intro")
    mem = browser_for("mem")
    mem.post_form(URL + "@@post", {"text": text + "\n\ntrailing words"}, status=302)
    html = discussion_html(mem.get(URL).text)
    assert "trailing words" in html
    lowered = html.lower()
    for bad in ("<script", "<iframe", "<svg"):
        assert bad not in lowered, (bad, html)
    tags = re.findall(r"<[a-z][^>]*>", lowered)
    for tag in tags:          # no handler, style or script URL in any element
        assert not re.search(r"\son\w+\s*=|\sstyle\s*=|javascript:|&#", tag), tag


def test_hostile_text_in_a_refused_form_is_escaped(make_topic, browser_for, registry):
    make_topic("intro")
    from forge.discussion.spam import Verdict
    registry.forge_spam_checker = lambda text, change: Verdict.reject("test")
    page = browser_for("mem").post_form(URL + "@@post", {"text": "</textarea><script>x</script>"},
                                        status=422)
    assert "<script>x" not in page.text and "&lt;/textarea&gt;&lt;script&gt;" in page.text


def test_a_post_with_an_attachment(make_topic, browser_for):
    make_topic("intro")
    mem = browser_for("mem")
    mem.post_form(URL + "@@post", {"text": "see the log"},
                  upload_files=[("attachment", "build.log", b"line 1\nline 2\n")], status=302)
    post = posts()[0]
    assert len(post.attachment_ids) == 1
    assert post.attachments[0]["filename"] == "build.log"
    html = mem.get(URL).text
    link = re.search(r'href="(http://localhost/p/demo/topics/intro/@@attachment/[^"]+)"', html)
    assert link and "build.log" in link.group(1)
    served = browser_for().get(link.group(1))
    assert served.body == b"line 1\nline 2\n"
    assert served.headers["X-Content-Type-Options"] == "nosniff"


def test_an_empty_file_input_is_no_attachment(make_topic, browser_for):
    make_topic("intro")
    browser_for("mem").post_form(URL + "@@post", {"text": "no file", "attachment": ""},
                                 status=302)
    assert posts()[0].attachment_ids == []


def test_attachment_of_a_pending_post_is_hidden_from_others(make_topic, browser_for):
    make_topic("intro")
    out = browser_for("out")
    out.post_form(URL + "@@post", {"text": "held, with a file"},
                  upload_files=[("attachment", "x.txt", b"secret bytes")], status=302)
    post = posts()[0]
    assert post.status == "pending"
    url = URL + "@@attachment/%s/x.txt" % post.attachment_ids[0]
    assert out.get(url).body == b"secret bytes"
    browser_for("mem").get(url, status=404)


class TestSizeLimit:
    @pytest.fixture
    def forge_settings(self):
        return forge_test_settings(**{"forge.tools": FIXTURE_TOOL,
                                      "forge.attachments.max_bytes": "1000"})

    def test_an_oversize_attachment_is_413_and_nothing_saved(self, make_topic, browser_for):
        make_topic("intro")
        page = browser_for("mem").post_form(
            URL + "@@post", {"text": "big file"},
            upload_files=[("attachment", "big.bin", b"x" * 2000)], status=413)
        assert "larger than" in page.text and "big file</textarea>" in page.text
        assert posts() == []
