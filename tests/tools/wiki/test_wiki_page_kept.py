"""A wiki page's whole content (all but the site's chrome) kept per reader
while nothing is written (``views.kept_page``): rendered once for a reader's
views, never shown to another reader, at another address or after a write (an
edit, a sub-page made private, the page deleted); old versions are their own
view.  Each test fails without its part of the key or of the generations."""
import re

import pytest

from forge.actions.acl import set_privacy
from forge.actions.roles import role_named
from forge.fragments import generation_store
from forge.model import session

from tools.wiki import views

from .conftest import WIKI, create, edit
# the page cache off (every GET renders) and the wiki's renders counted
from .test_kept_comments import forge_settings, renders  # noqa: F401
from .test_page_cache import node

GUIDE = WIKI + "Guide/"


@pytest.fixture
def guide(site, browse):
    """"Guide" (by ada) with a public sub-page and one private to Developers
    and its author (dev)."""
    create(browse("ada"), "Guide", text="Read the **guide** first.")
    dev = browse("dev")
    create(dev, "Guide/Open", text="for all")
    create(dev, "Guide/Hidden", text="for developers", private="on")


def content(page):
    return str(page.html.select_one("main"))


def tokens(page):
    return set(re.findall(r'name="csrf_token" value="([^"]+)"', page.text))


def sub_pages(page):
    return [a.text for a in page.html.select("#sub-pages a")]


def test_a_reader_viewing_again_renders_nothing(guide, browse, renders):
    mem = browse("mem")
    first = mem.get(GUIDE)
    assert views.CONTENT in renders
    del renders[:]
    again = mem.get(GUIDE)
    assert renders == [] and content(again) == content(first)
    assert "<strong>guide</strong>" in again.text and sub_pages(again) == ["Open"]


def test_readers_never_share_the_kept_content(guide, browse, renders):
    dev, mem, mem2 = browse("dev"), browse("mem"), browse("mem2")
    dev_page = dev.get(GUIDE)
    assert sub_pages(dev_page) == ["Hidden", "Open"]
    assert dev_page.html.select_one("#page-delete-form") and "@@edit" in dev_page.text
    # a Member may neither read the private sub-page nor edit or delete the page
    mem_page = mem.get(GUIDE)
    assert sub_pages(mem_page) == ["Open"] and "Hidden" not in content(mem_page)
    assert mem_page.html.select_one("#page-delete-form") is None
    assert "Guide/@@edit" not in mem_page.text and "Guide/@@new" in mem_page.text
    # a reader with the same roles gets a page of their own (their forms' token)
    mem2_page = mem2.get(GUIDE)
    assert tokens(mem2_page) == {mem2.csrf()} != tokens(mem_page) == {mem.csrf()}
    # nor does a visitor, whose pages are never kept
    del renders[:]
    visitor_page = browse().get(GUIDE)
    assert views.CONTENT in renders and sub_pages(visitor_page) == ["Open"]
    assert "Sign out" not in visitor_page.text and not tokens(visitor_page)


def test_a_reader_who_may_not_read_a_link_target_is_not_given_it(guide, browse):
    dev, mem = browse("dev"), browse("mem")
    create(dev, "Index", text="see [[Guide/Hidden]]")
    assert 'href="http://localhost/p/demo/wiki/Guide/Hidden/"' in dev.get(WIKI + "Index/").text
    # for a Member, exactly like a page that does not exist: a "create it" link
    page = mem.get(WIKI + "Index/")
    assert "/wiki/Guide/Hidden/" not in page.text and "@@new?title=Guide%2FHidden" in page.text


def test_an_edit_shows_at_once(guide, browse):
    ada, mem = browse("ada"), browse("mem")
    assert "version 1" in mem.get(GUIDE).text
    edit(ada, "Guide", 1, title="Guide", text="Rewritten words.")
    page = mem.get(GUIDE)
    assert "Rewritten words." in page.text and "Read the" not in page.text
    assert "version 2" in page.text and "@@diff?from=1&amp;to=2" in page.text


def test_a_sub_page_made_private_leaves_the_kept_page(registry, site, guide, browse):
    mem = browse("mem")
    assert sub_pages(mem.get(GUIDE)) == ["Open"]
    set_privacy(registry, node(registry, GUIDE + "Open/"), True, site["ada"],
                readers=[role_named(site["project"], "Developer").principal])
    session.close()
    assert sub_pages(mem.get(GUIDE)) == []
    assert sub_pages(browse("dev").get(GUIDE)) == ["Hidden", "Open"]


def test_a_deleted_page_is_not_served_from_the_store(guide, browse):
    ada, mem = browse("ada"), browse("mem")
    mem.get(GUIDE + "Open/")
    ada.post_form(GUIDE + "Open/@@delete", {}, status=302)
    mem.get(GUIDE + "Open/", status=404)


def test_a_refusal_is_not_kept(registry, site, guide, browse):
    mem = browse("mem")
    mem.get(GUIDE + "Hidden/", status=404)
    set_privacy(registry, node(registry, GUIDE + "Hidden/"), False, site["ada"])
    session.close()
    assert "for developers" in mem.get(GUIDE + "Hidden/").text


def test_an_old_version_is_its_own_page(registry, guide, browse, renders):
    ada, mem = browse("ada"), browse("mem")
    edit(ada, "Guide", 1, title="Guide", text="Second words.")
    assert "Second words." in mem.get(GUIDE).text
    old = mem.get(GUIDE + "@@version", params={"v": "1"})
    assert "Read the **guide** first." in old.text and "Second words." not in old.text
    # the page view reads no query string: any is the current page, kept once
    kept = len(generation_store(registry))
    del renders[:]
    for query in ({"version": "1"}, {"v": "1"}, {"version": "2", "x": "y"}):
        page = mem.get(GUIDE, params=query)
        assert "Second words." in page.text and "Read the" not in page.text
    assert renders == [] and len(generation_store(registry)) == kept


def test_the_address_is_in_the_key(guide, browse):
    mem = browse("mem")
    assert 'href="http://localhost/p/demo/wiki/Guide/Open/"' in mem.get(GUIDE).text
    # the same session at another port of the host (its cookie goes there too)
    elsewhere = mem.get(GUIDE, extra_environ={"HTTP_HOST": "localhost:8080"})
    assert "Sign out" in elsewhere.text
    assert 'href="http://localhost:8080/p/demo/wiki/Guide/Open/"' in elsewhere.text
    assert "http://localhost/p/demo/wiki/" not in content(elsewhere)


def test_the_page_is_in_the_key(guide, browse, monkeypatch):
    """``kept_page(request, page)`` is that page's content whatever address
    asks for it (a view showing another page at its own address, as a tool's
    home could, gets that page's)."""
    real = views.kept_page

    def with_the_sub_page(request, page):
        return real(request, page) + real(request, page["Open"])
    monkeypatch.setattr(views, "kept_page", with_the_sub_page)
    page = browse("mem").get(GUIDE)
    assert "<strong>guide</strong>" in page.text and "for all" in page.text


def test_head_answers_without_a_body_and_keeps_the_page_whole(guide, browse, renders):
    mem = browse("mem")
    head = mem.head(GUIDE)
    assert head.status_int == 200 and head.body == b""
    assert head.content_type == "text/html"
    del renders[:]
    page = mem.get(GUIDE)
    assert renders == [] and "<strong>guide</strong>" in page.text
