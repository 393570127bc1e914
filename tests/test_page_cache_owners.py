"""The page store's per-owner share: one session's pages (forge.signed_pages)
take at most 1/OWNER_SHARE of the budget, so one reader cannot evict the rest."""
from pyramid.response import Response

from forge.page_cache import OWNER_SHARE, CachedPage, PageCache


def page(owner=None, size=1000, generations=(1, 1)):
    return CachedPage(generations, Response(body=b"x" * size), owner=owner)


def test_one_owner_keeps_at_most_its_share_its_oldest_pages_going_first():
    store = PageCache(max_bytes=OWNER_SHARE * 4 * 1300)   # an owner's share: about 4 pages
    for n in range(10):
        store.put(("anon", n), page())
    for n in range(50):
        store.put(("reader", n), page(owner="reader"))
        assert store.owned_bytes("reader") <= store.max_bytes // OWNER_SHARE
    assert store.get(("reader", 0), lambda: (1, 1)) is None
    assert store.get(("reader", 49), lambda: (1, 1)) is not None
    # every other page is still there
    assert all(store.get(("anon", n), lambda: (1, 1)) is not None for n in range(10))
    assert store._bytes == sum(p.size for p in store._pages.values())


def test_a_hit_keeps_an_owners_page_and_a_page_over_the_share_is_not_kept():
    store = PageCache(max_bytes=OWNER_SHARE * 3 * 1400)
    for n in range(3):
        store.put(n, page(owner="r"))
    assert store.get(0, lambda: (1, 1)) is not None         # 0 is now its most recent
    store.put(3, page(owner="r"))
    assert store.get(0, lambda: (1, 1)) is not None and store.get(1, lambda: (1, 1)) is None
    store.put("big", page(owner="r", size=4 * 1400))
    assert store.get("big", lambda: (1, 1)) is None


def test_new_generations_and_replaced_pages_keep_the_owners_account():
    store = PageCache(max_bytes=1 << 20)
    store.put("a", page(owner="r"))
    store.put("a", page(owner="r", size=500))                # the same key again
    assert store.owned_bytes("r") == page(size=500).size
    store.put("b", page(owner="r", generations=(1, 2)))      # the database moved on
    assert len(store) == 1 and store.owned_bytes("r") == page().size
    store.get("b", lambda: (2, 0))
    assert len(store) == 0 and store.owned_bytes("r") == 0
