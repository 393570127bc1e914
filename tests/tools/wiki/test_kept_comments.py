"""A wiki page's attachments, comments and their forms kept per reader while
nothing is written (views.kept_page, the whole content): rendered once for a reader's views, never
shown to another reader, rendered again after a comment."""
import re

import pytest

from forge.testing import count_renders, forge_test_settings

from tools.wiki import views

from .conftest import WIKI, create
from .test_safety import upload


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
    assert renders == [views.CONTENT]
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


def test_an_attachment_renders_the_piece_again(site, browse):
    ada = browse("ada")
    create(ada, "Files", text="see below")
    assert "No attachments." in ada.get(WIKI + "Files/").text
    ada.get(WIKI + "Files/")
    upload(ada, WIKI + "Files/", [("notes.txt", b"plain")])
    page = ada.get(WIKI + "Files/")
    assert "notes.txt" in page.text and "No attachments." not in page.text
    # the upload form is the reader's: developers may attach, members may not
    assert 'class="attach-form"' in page.text
    assert 'class="attach-form"' not in browse("mem").get(WIKI + "Files/").text
