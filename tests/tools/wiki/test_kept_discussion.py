"""A wiki page's comments and comment form kept per reader while nothing is
written (views.kept_discussion): rendered once for a reader's views, never
shown to another reader, rendered again after a comment."""
import re

import pytest

from forge.testing import count_renders, forge_test_settings

from tools.wiki import views

from .conftest import WIKI, create


@pytest.fixture
def forge_settings():
    # whole pages are not kept (forge.page_cache), so every GET renders
    return forge_test_settings(**{"forge.page_cache.max_mb": "0",
                                  "forge.tools": "tools.wiki",
                                  "forge.load_tool_entry_points": "false"})


@pytest.fixture
def renders(monkeypatch):
    return count_renders(monkeypatch, views)


def discussion_html(page):
    return re.search(r'<section class="discussion".*?</section>', page.text, re.S).group(0)


def test_the_discussion_is_kept_per_reader(site, browse, renders):
    ada, mem, dev = browse("ada"), browse("mem"), browse("dev")
    create(ada, "Talk", text="discuss")
    browse("out").post_form(WIKI + "Talk/@@post", {"text": "an outsider says"}, status=302)
    mem.get(WIKI + "Talk/")
    del renders[:]
    first = discussion_html(mem.get(WIKI + "Talk/"))
    assert discussion_html(mem.get(WIKI + "Talk/")) == first and renders == []
    theirs = discussion_html(dev.get(WIKI + "Talk/"))
    assert renders == [views.DISCUSSION]
    token = re.search(r'name="csrf_token" value="([^"]+)"', theirs).group(1)
    assert token not in first
    # the held post: a moderator's piece shows it, a member's does not
    assert "an outsider says" in theirs and "an outsider says" not in first


def test_a_comment_renders_the_discussion_again(site, browse):
    ada, mem = browse("ada"), browse("mem")
    create(ada, "Talk", text="discuss")
    mem.get(WIKI + "Talk/")
    mem.get(WIKI + "Talk/")
    mem.post_form(WIKI + "Talk/@@post", {"text": "A new comment"}, status=302)
    assert "A new comment" in discussion_html(mem.get(WIKI + "Talk/"))
