"""The ticket page kept per reader while nothing is written
(views_ticket.kept_page): rendered once for a reader's views, never shown
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
    # another reader: their page, and the timeline of a reader who may moderate
    assert sorted(renders) == [views_ticket.CONTENT, views_ticket.TIMELINE]
    token = re.search(r'name="csrf_token" value="([^"]+)"', theirs).group(1)
    assert token not in first


def test_a_comment_renders_the_timeline_again(login, site):
    mem = login("mem")
    create(mem, "Broken build")
    mem.get(TOOL + "1/")
    mem.get(TOOL + "1/")
    mem.post_form(TOOL + "1/@@post", {"text": "A new comment"}, status=302)
    assert "A new comment" in timeline_text(mem.get(TOOL + "1/"))


# -- the timeline kept once for every reader who may do the same there -----------
# (views_ticket.kept_timeline: forge.fragments.verdict_cached under the thread's
# verdicts).  Every browser signs in before the first view: a sign-in may write.

def tokens(page):
    return set(re.findall(r'name="csrf_token" value="([^"]+)"', page.text))


def test_a_first_view_gets_the_timeline_of_a_reader_like_them(login, site, renders):
    ada = login("ada")
    create(ada, "Broken build")
    ada.post_form(TOOL + "1/@@post", {"text": "First comment"}, status=302)
    mem, mem2, again = login("mem"), login("mem2"), login("mem")
    mem.get(TOOL + "1/")
    del renders[:]
    page = mem2.get(TOOL + "1/")
    assert "First comment" in timeline_text(page)
    assert renders == [views_ticket.CONTENT]           # the timeline was mem's
    # every form carries this reader's own token, never the first reader's
    assert tokens(page) == {mem2.csrf()}
    assert tokens(again.get(TOOL + "1/")) == {again.csrf()} != {mem.csrf()}


def test_a_held_comment_is_shown_to_its_author_only(login, site, make_user):
    make_user("out2")
    dev, out = login("dev"), login("out")
    create(dev, "Broken build")
    # a reader without a role: their comment waits for a moderator
    out.post_form(TOOL + "1/@@post", {"text": "Held for a moderator"}, status=302)
    dev, out, out2 = login("dev"), login("out"), login("out2")
    assert "Held for a moderator" in timeline_text(out.get(TOOL + "1/"))
    assert "Held for a moderator" not in timeline_text(out2.get(TOOL + "1/"))
    assert "Held for a moderator" in timeline_text(dev.get(TOOL + "1/"))


def test_a_reference_to_a_private_ticket_is_linked_for_its_readers_only(login, site):
    dev, mem = login("dev"), login("mem")
    create(dev, "Broken build")
    create(mem, "Secret hole", private="on")
    dev.post_form(TOOL + "1/@@post", {"text": "Probably the same as #2."}, status=302)
    mem, mem2 = login("mem"), login("mem2")
    # mem reported #2 and may read it; mem2, a member too, may not
    assert "Secret hole" in timeline_html(mem.get(TOOL + "1/"))
    theirs = timeline_html(mem2.get(TOOL + "1/"))
    assert "Probably the same as" in theirs and "Secret hole" not in theirs


def test_the_page_kept_for_a_developer_is_not_a_members(login, site):
    dev = login("dev")
    create(dev, "Broken build")
    dev, mem = login("dev"), login("mem")
    assert 'id="ticket-edit-link"' in dev.get(TOOL + "1/").text
    page = mem.get(TOOL + "1/")
    assert 'id="ticket-edit-link"' not in page.text and 'id="ticket-close"' not in page.text
    assert tokens(page) == {mem.csrf()}
