"""The ticket page's timeline kept per reader while nothing is written
(views_ticket.kept_timeline): rendered once for a reader's views, never shown
to another reader, rendered again after a comment."""
import re

import pytest

from forge.testing import count_renders, forge_test_settings

from tools.tracker import views_ticket

from .conftest import TOOL
from .test_tickets import create
from .test_tickets_comments import timeline_text


@pytest.fixture
def forge_settings():
    # whole pages are not kept (forge.page_cache), so every GET renders
    return forge_test_settings(**{"forge.page_cache.max_mb": "0"})


@pytest.fixture
def renders(monkeypatch):
    return count_renders(monkeypatch, views_ticket)


def timeline_html(page):
    return re.search(r'<ol class="timeline ticket-timeline".*?</ol>', page.text, re.S).group(0)


def test_the_timeline_is_kept_per_reader(login, site, renders):
    mem, dev = login("mem"), login("dev")
    create(mem, "Broken build")
    mem.post_form(TOOL + "1/@@post", {"text": "First comment"}, status=302)
    mem.get(TOOL + "1/")
    del renders[:]
    first = timeline_html(mem.get(TOOL + "1/"))
    assert timeline_html(mem.get(TOOL + "1/")) == first and renders == []
    theirs = timeline_html(dev.get(TOOL + "1/"))
    assert len(renders) == 1
    token = re.search(r'name="csrf_token" value="([^"]+)"', theirs).group(1)
    assert token not in first


def test_a_comment_renders_the_timeline_again(login, site):
    mem = login("mem")
    create(mem, "Broken build")
    mem.get(TOOL + "1/")
    mem.get(TOOL + "1/")
    mem.post_form(TOOL + "1/@@post", {"text": "A new comment"}, status=302)
    assert "A new comment" in timeline_text(mem.get(TOOL + "1/"))
