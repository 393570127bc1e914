"""The search page's content kept per reader without the page cache
(``forge.search.views.kept_content``): searched and rendered once for a
reader's views of one query, sort, page and scope on one index commit at one
address; never shown to another reader, after an index commit or a write;
a refused query never kept.  Each test fails without its part of the key
(the scope's part is also named by the page's URL: the two together)."""
import re

import pytest

from forge.model import session
from forge.model.cache import current_generations
from forge.search import views
from forge.testing import browser, forge_test_settings

from .helpers import note, setup_site

URL = "/@@search?q=zebra"


@pytest.fixture
def forge_settings():
    # whole pages are not kept (forge.page_cache), so every GET runs the view
    return forge_test_settings(**{"forge.page_cache.max_mb": "0"})


@pytest.fixture
def site(registry, make_user, make_project, run_reactors):
    people = setup_site(registry, make_user, make_project)
    # the older note is the more relevant: by date and by relevance differ
    people["stripes"] = note(registry, people["notes"], people["ada"], "stripes", "Stripes",
                             "a zebra, zebra, zebra in the field")
    people["herd"] = note(registry, people["othernotes"], people["ada"], "herd", "Herd",
                          "a zebra herd elsewhere")
    session.flush()
    run_reactors()
    return people


@pytest.fixture
def renders(monkeypatch):
    from forge.testing import count_renders
    return count_renders(monkeypatch, views)


@pytest.fixture
def searches(monkeypatch):
    """The searches the page runs (a list that grows)."""
    calls = []
    real = views.search

    def counting(index, text, *args, **kw):
        calls.append(text)
        return real(index, text, *args, **kw)
    monkeypatch.setattr(views, "search", counting)
    return calls


def titles(page):
    return re.findall(r'class="search-title" href="[^"]*">([^<]*)</a>', page.text)


def test_a_reader_viewing_again_searches_and_renders_nothing(forge_app, site, renders,
                                                             searches):
    mem = browser(forge_app, "mem")
    first = mem.get(URL)
    assert sorted(titles(first)) == ["Herd", "Stripes"] and "Sign out" in first.text
    assert searches == ["zebra"] and renders == [views.CONTENT]
    again = mem.get(URL)
    assert again.text == first.text
    assert searches == ["zebra"] and renders == [views.CONTENT]
    # the empty form is kept too
    assert "Search everywhere" in mem.get("/@@search").text
    assert mem.get("/@@search").text.count('class="search-page"') == 1
    assert renders == [views.CONTENT] * 2 and searches == ["zebra"]


def test_a_newly_indexed_note_shows_at_once(forge_app, registry, site, run_reactors):
    mem = browser(forge_app, "mem")
    assert "Fresh" not in mem.get(URL).text
    note(registry, site["notes"], site["ada"], "fresh", "Fresh", "a zebra foal")
    session.flush()
    # written, not yet indexed: the content made now is kept without it
    assert "Fresh" not in mem.get(URL).text
    run_reactors()
    assert "Fresh" in mem.get(URL).text


def test_an_index_commit_alone_gives_fresh_content(forge_app, registry, site):
    """Nothing the generations cover changes: only the index (its signature)."""
    mem = browser(forge_app, "mem")
    assert sorted(titles(mem.get(URL))) == ["Herd", "Stripes"]
    generations = current_generations(session.db)
    with registry.forge_search_index().writing() as batch:
        batch.delete(str(site["stripes"]._id))
    assert current_generations(session.db) == generations
    assert titles(mem.get(URL)) == ["Herd"]


def test_readers_never_share_kept_content(forge_app, registry, site, run_reactors, renders):
    note(registry, site["notes"], site["ada"], "secret", "Secret zebra", "zebra plans",
         private=True)
    session.flush()
    run_reactors()
    ada = browser(forge_app, "ada")
    assert "Secret zebra" in titles(ada.get(URL))
    # a Member may not read the private note the admin was shown
    mem = browser(forge_app, "mem")
    assert "Secret zebra" not in titles(mem.get(URL))
    assert "Secret zebra" not in titles(browser(forge_app, "out").get(URL))
    # nor may a visitor, whose content is never kept
    del renders[:]
    visitor = browser(forge_app)
    for _ in range(2):
        assert "Secret zebra" not in titles(visitor.get(URL))
    assert renders == [views.CONTENT] * 2
    assert "Secret zebra" in titles(ada.get(URL))


def test_the_query_is_in_the_key(forge_app, site):
    mem = browser(forge_app, "mem")
    assert sorted(titles(mem.get(URL))) == ["Herd", "Stripes"]
    page = mem.get("/@@search?q=herd")
    assert titles(page) == ["Herd"] and 'value="herd"' in page.text


def test_the_sort_is_in_the_key(forge_app, site):
    assert site["herd"].modified > site["stripes"].modified
    mem = browser(forge_app, "mem")
    assert titles(mem.get(URL)) == ["Stripes", "Herd"]
    dated = mem.get(URL + "&sort=date")
    assert titles(dated) == ["Herd", "Stripes"]
    assert '<option value="date" selected>' in dated.text
    assert '<option value="relevance" selected>' in mem.get(URL).text


def test_the_page_is_in_the_key(forge_app, registry, site, run_reactors):
    for n in range(25):
        note(registry, site["notes"], site["ada"], "stripe-%d" % n, "Stripe %d" % n,
             "zebra number %d" % n)
    session.flush()
    run_reactors()
    mem = browser(forge_app, "mem")
    first = mem.get(URL)
    assert len(titles(first)) == 20 and 'start="1"' in first.text
    second = mem.get(URL + "&page=2")
    assert len(titles(second)) == 7 and 'start="21"' in second.text
    assert not set(titles(first)) & set(titles(second))
    # the pager's links: the text quoted, the sort and page after it
    assert 'rel="next" href="http://localhost/@@search?q=zebra&amp;sort=relevance&amp;page=2"' \
        in first.text and 'rel="prev"' not in first.text
    words = mem.get("/@@search", {"q": "zebra number", "page": "2"})
    assert 'rel="prev" href="http://localhost/@@search?q=zebra+number&amp;sort=relevance' \
        '&amp;page=1"' in words.text and 'rel="next"' not in words.text


def test_the_scope_is_in_the_key(forge_app, site):
    mem = browser(forge_app, "mem")
    assert sorted(titles(mem.get(URL))) == ["Herd", "Stripes"]
    project = mem.get("/p/demo/@@search?q=zebra")
    assert titles(project) == ["Stripes"] and "in Demo and its subprojects" in project.text
    assert titles(mem.get("/p/other/notes/@@search?q=zebra")) == ["Herd"]
    assert titles(mem.get("/p/demo/docs/@@search?q=zebra")) == []


def test_the_address_is_in_the_key(forge_app, site):
    mem = browser(forge_app, "mem")
    assert 'href="http://localhost/p/demo/notes/stripes/"' in mem.get(URL).text
    # the same session at another port of the host (its cookie goes there too)
    elsewhere = mem.get(URL, extra_environ={"HTTP_HOST": "localhost:8080"})
    assert "Sign out" in elsewhere.text
    assert 'href="http://localhost:8080/p/demo/notes/stripes/"' in elsewhere.text
    assert "http://localhost/" not in elsewhere.text


def test_a_refused_query_is_a_400_every_time(forge_app, site, renders):
    mem = browser(forge_app, "mem")
    for _ in range(2):
        bad = mem.get("/@@search", {"q": 'zebra "unclosed'}, status=400)
        assert "quotation mark is not closed" in bad.text
        assert mem.get(URL + "&sort=random", status=400).text.count("Sort by relevance") == 1
    assert renders == [views.CONTENT] * 4
    assert sorted(titles(mem.get(URL))) == ["Herd", "Stripes"]
