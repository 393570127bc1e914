"""The page store itself: its byte budget and its one generation pair."""
from pyramid.response import Response

from forge.page_cache import CachedPage, PageCache


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
