"""The list page's content kept per reader while nothing is written
(``views_list.kept_content``): rendered once for a reader's views of one
query, page and count, never shown to another reader, at another address or
after a write (a new ticket, a ticket made private).  Each test fails
without its part of the key."""
import re

import pytest
from pyramid.testing import DummyRequest
from pyramid.traversal import find_resource

from forge.actions.acl import set_privacy
from forge.actions.roles import role_named
from forge.model import session
from forge.resources import SiteRoot
from forge.testing import count_renders, forge_test_settings

from tools.tracker import views_list

from .conftest import TOOL
from .test_list import filled, listing, numbers, ticket  # noqa: F401


@pytest.fixture
def forge_settings():
    # whole pages are not kept (forge.page_cache), so every GET renders
    return forge_test_settings(**{"forge.page_cache.max_mb": "0"})


@pytest.fixture
def renders(monkeypatch):
    return count_renders(monkeypatch, views_list)


def tokens(page):
    return set(re.findall(r'name="csrf_token" value="([^"]+)"', page.text))


def test_a_reader_viewing_again_renders_nothing(login, site, filled, renders):
    mem = login("mem")
    first = listing(mem)
    assert views_list.CONTENT in renders
    del renders[:]
    again = listing(mem)
    assert renders == [] and again.text == first.text
    assert numbers(again) == [5, 3, 1]
    # no ``q`` is the default query's page: the same content
    assert listing(mem, "is:open").text == first.text and renders == []


def test_readers_never_share_the_kept_content(login, site, filled, renders):
    dev, mem, mem2 = login("dev"), login("mem"), login("mem2")
    assert numbers(listing(dev)) == [5, 4, 3, 1]
    # a Member does not read the private ticket the Developer was shown
    mem_page = listing(mem)
    assert numbers(mem_page) == [5, 3, 1] and "Secret crash" not in mem_page.text
    # a reader with the same roles gets a page of their own (their forms' token)
    mem2_page = listing(mem2)
    assert numbers(mem2_page) == [5, 4, 3, 1]          # mem2 reported #4
    assert tokens(mem2_page) == {mem2.csrf()} and mem.csrf() not in mem2_page.text
    assert tokens(listing(mem)) == {mem.csrf()}
    # nor does a visitor, whose pages are never kept
    del renders[:]
    assert numbers(listing(login())) == [5, 3, 1]
    assert views_list.CONTENT in renders


def test_the_query_is_in_the_key(login, site, filled):
    mem = login("mem")
    assert numbers(listing(mem, "is:open")) == [5, 3, 1]
    ui = listing(mem, "label:ui")
    assert numbers(ui) == [2, 1]
    assert 'value="label:ui"' in ui.text


def test_the_page_and_the_count_are_in_the_key(registry, login, site):
    for n in range(1, 31):
        ticket(registry, site, "Ticket %d" % n)
    session.close()
    mem = login("mem")
    first = listing(mem, "sort:number")
    assert numbers(first) == list(range(1, 26)) and "count all" in first.text
    assert numbers(listing(mem, "sort:number", page=2)) == list(range(26, 31))
    counted = listing(mem, "sort:number", count=1)
    assert numbers(counted) == list(range(1, 26))
    assert "30 tickets · page 1" in counted.text and "count all" not in counted.text


def test_the_address_is_in_the_key(login, site, filled):
    mem = login("mem")
    assert "http://localhost/p/demo/tickets/1/" in listing(mem).text
    # the same session at another port of the host (its cookie goes there too)
    elsewhere = mem.get(TOOL, extra_environ={"HTTP_HOST": "localhost:8080"})
    assert "Sign out" in elsewhere.text
    assert "http://localhost:8080/p/demo/tickets/1/" in elsewhere.text
    assert "http://localhost/p/demo/tickets/" not in elsewhere.text


def test_a_new_ticket_shows_on_the_next_view(registry, login, site, filled):
    mem = login("mem")
    assert numbers(listing(mem)) == [5, 3, 1]
    ticket(registry, site, "Fresh one")
    session.close()
    assert numbers(listing(mem)) == [7, 5, 3, 1]


def test_a_ticket_made_private_leaves_the_kept_list(registry, login, site, filled):
    mem = login("mem")
    assert numbers(listing(mem)) == [5, 3, 1]
    request = DummyRequest()
    request.registry = registry
    node = find_resource(SiteRoot(request), TOOL + "5/")
    set_privacy(registry, node, True, site["ada"],
                readers=[role_named(site["project"], "Developer").principal])
    session.close()
    page = listing(mem)
    assert numbers(page) == [3, 1] and "Slow list" not in page.text
    assert numbers(listing(login("dev"))) == [5, 4, 3, 1]


def test_a_query_that_cannot_run_is_a_400_every_time(login, site, filled, renders):
    mem = login("mem")
    for _ in range(2):
        bad = listing(mem, "colour:red", status=400)
        assert "Unknown field" in bad.text
    assert renders.count(views_list.CONTENT) == 2
    assert numbers(listing(mem)) == [5, 3, 1]
