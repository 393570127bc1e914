"""The search page from the page cache (``forge.page_cache``), anonymous and
signed in: kept under the generations and the index's signature
(``SearchIndex.signature``, ``page_cache.depends_on``), so a commit to the
index by this process or another, a new document, a permission change and a
searcher not yet reloaded each give a fresh page, never a stale one."""
import pytest

from forge.actions.acl import set_privacy
from forge.model import session
from forge.model.cache import current_generations
from forge.page_cache import HEADER
from forge.search.index import SearchIndex
from forge.testing import browser, forge_test_settings

from .helpers import node_at, note, setup_site

URL = "/@@search?q=zebra"


@pytest.fixture
def site(registry, make_user, make_project, run_reactors):
    people = setup_site(registry, make_user, make_project)
    people["stripes"] = note(registry, people["notes"], people["ada"], "stripes", "Stripes",
                             "a zebra in the field")
    session.flush()
    run_reactors()
    return people


def kept(b, url=URL):
    """GET twice; the second answer must come from the cache."""
    first = b.get(url)
    second = b.get(url)
    assert first.headers[HEADER] == "miss" and second.headers[HEADER] == "hit"
    assert second.body == first.body
    return second


@pytest.mark.parametrize("username", [None, "ada"])
def test_search_page_is_kept(forge_app, site, username):
    page = kept(browser(forge_app, username))
    assert "Stripes" in page.text and "1 result<" in page.text
    if username:
        assert "Sign out" in page.text and page.headers["Cache-Control"] == "private"


@pytest.mark.parametrize("username", [None, "mem"])
def test_a_newly_indexed_note_shows_on_the_next_search(forge_app, registry, site, run_reactors,
                                                       username):
    b = browser(forge_app, username)
    kept(b)
    note(registry, site["notes"], site["ada"], "herd", "Herd", "another zebra")
    session.flush()
    # written, not yet indexed: the page made now (and kept) does not show it
    assert "Herd" not in kept(b).text
    run_reactors()
    page = b.get(URL)
    assert "Herd" in page.text and page.headers[HEADER] == "miss"
    again = b.get(URL)
    assert again.headers[HEADER] == "hit" and again.body == page.body


def test_an_index_commit_alone_gives_a_fresh_page(forge_app, registry, site):
    """Nothing the generations cover changes: only the index does."""
    b = browser(forge_app)
    assert "Stripes" in kept(b).text
    generations = current_generations(session.db)
    with registry.forge_search_index().writing() as batch:
        batch.delete(str(site["stripes"]._id))
    assert current_generations(session.db) == generations
    page = b.get(URL)
    assert "Stripes" not in page.text and page.headers[HEADER] == "miss"


def test_a_strangers_kept_search_loses_a_project_made_private(forge_app, registry, site,
                                                              run_reactors):
    out = browser(forge_app, "out")
    anonymous = browser(forge_app)
    assert "Stripes" in kept(out).text and "Stripes" in kept(anonymous).text
    set_privacy(registry, node_at(registry, "/p/demo/"), True, site["ada"])
    session.flush()
    run_reactors()
    assert "Stripes" not in out.get(URL).text
    assert "Stripes" not in anonymous.get(URL).text
    assert "Stripes" in kept(browser(forge_app, "ada")).text


# -- an index on disk, written by another process (here another SearchIndex) -----------

@pytest.fixture
def forge_settings(request, tmp_path):
    if not request.node.name.endswith("_on_disk"):
        return forge_test_settings()
    return forge_test_settings(**{"forge.search.path": str(tmp_path / "search-index")})


def test_a_commit_by_another_process_gives_a_fresh_page_on_disk(forge_app, registry, site):
    web = registry.forge_search_index()
    assert web.path
    worker = SearchIndex(web.path)          # the worker's own reader and writer
    signed = browser(forge_app, "ada")
    anonymous = browser(forge_app)
    assert "Stripes" in kept(signed).text and "Stripes" in kept(anonymous).text
    before = web.signature()
    with worker.writing() as batch:
        batch.delete(str(site["stripes"]._id))
    assert web.signature() != before
    for b in (signed, anonymous):
        page = b.get(URL)
        assert "Stripes" not in page.text and page.headers[HEADER] == "miss"
        assert b.get(URL).headers[HEADER] == "hit"


class LateReader:
    """The web's tantivy index, whose searcher is taken after another process
    committed and before this one reloads: the page is made from the older state."""

    def __init__(self, index, commit):
        self._index, self._commit = index, commit

    def searcher(self):
        # the searcher is a snapshot taken before the commit lands (taking it
        # after would race tantivy's own reload on commit)
        searcher = self._index.searcher()
        if self._commit:
            commit, self._commit = self._commit, None
            commit()
        return searcher

    def __getattr__(self, name):
        return getattr(self._index, name)


def test_a_searcher_not_yet_reloaded_never_stores_a_page_under_a_newer_signature_on_disk(
        forge_app, registry, site):
    web = registry.forge_search_index()
    worker = SearchIndex(web.path)
    b = browser(forge_app)
    assert "Stripes" in b.get(URL).text        # the reader is loaded

    def commit():
        with worker.writing() as batch:
            batch.delete(str(site["stripes"]._id))

    web.index = LateReader(web.index, commit)
    # a new page (another URL): the commit lands while it is made, from the old state
    first = b.get(URL + "&sort=date")
    assert "Stripes" in first.text and first.headers[HEADER] == "miss"
    # kept under the signature read before the commit, so it is not served again
    second = b.get(URL + "&sort=date")
    assert "Stripes" not in second.text and second.headers[HEADER] == "miss"
    assert "Stripes" not in b.get(URL).text
