"""The page store itself: its byte budget and its one generation pair."""
import pytest
from pyramid.response import Response

from forge.page_cache import GENERATIONS, CachedPage, PageCache, cache_key, storable


def page(generations, size=1000):
    return CachedPage(generations, Response(body=b"x" * size))


def test_least_recently_used_pages_go_first_within_the_budget():
    store = PageCache(max_bytes=16 * 2000)
    for n in range(4):
        store.put("p%d" % n, page((1, 1)))
    assert store.get("p0", lambda: (1, 1)) is not None      # p0 is now the most recent
    for n in range(4, 40):
        store.put("p%d" % n, page((1, 1)))
    assert store._bytes <= store.max_bytes
    assert store.get("p0", lambda: (1, 1)) is None
    assert store.get("p39", lambda: (1, 1)) is not None


def test_a_page_bigger_than_a_sixteenth_of_the_budget_is_not_kept():
    store = PageCache(max_bytes=16 * 1000)
    store.put("big", page((1, 1), size=2000))
    assert len(store) == 0


def test_new_generations_drop_every_stored_page():
    store = PageCache(max_bytes=1 << 20)
    store.put("a", page((1, 1)))
    store.put("b", page((1, 1)))
    assert store.get("a", lambda: (1, 2)) is None            # the database moved on
    assert len(store) == 0
    store.put("late", page((1, 1)))                            # rendered from old data
    assert len(store) == 0
    store.put("new", page((1, 2)))
    assert store.get("new", lambda: (1, 2)) is not None
    store.put("newer", page((2, 0)))                          # the tree moved: a newer pair
    assert store.get("new", lambda: (2, 0)) is None


def test_a_lookup_without_a_candidate_reads_no_generations():
    store = PageCache(max_bytes=1 << 20)

    def must_not_read():
        raise AssertionError("read the generations")
    assert store.get("nothing", must_not_read) is None


# Never an answer computed for a particular reader: what the request carries
# (a credential in the query, any cookie, Authorization) or what the view says
# (Cache-Control: private or no-store) keeps it out of the shared store.

def request_for(url, **headers):
    from pyramid.request import Request
    return Request.blank(url, headers=headers)


@pytest.mark.parametrize("url, headers", [
    ("/p/demo/@@activity.atom?token=u1.abc", {}),
    ("/p/demo/@@activity.atom?x=1&TOKEN=u1.abc", {}),
    ("/p/demo/@@activity.atom?access_token=abc", {}),
    ("/p/demo/", {"Cookie": "forge_session=abc"}),
    ("/p/demo/", {"Cookie": "another_login=abc"}),
    ("/p/demo/", {"Authorization": "Bearer pf_abc"}),
])
def test_requests_carrying_credentials_have_no_cache_key(url, headers):
    assert cache_key(request_for(url, **headers)) is None


def test_a_plain_anonymous_request_has_a_key():
    assert cache_key(request_for("/p/demo/?page=2&q=token")) is not None


@pytest.mark.parametrize("cache_control", ["private", "no-store", "private, no-store",
                                           "no-cache, PRIVATE"])
def test_an_answer_its_view_calls_per_reader_is_not_stored(cache_control):
    request = request_for("/p/demo/")
    request.environ[GENERATIONS] = (1, 1)
    response = Response(body=b"for one reader")
    assert storable(request, response)
    response.headers["Cache-Control"] = cache_control
    assert not storable(request, response)
