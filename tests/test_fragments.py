"""forge.fragments: pieces kept per generation and per reader, never shared
between readers who may see different things."""
from types import SimpleNamespace

from forge import fragments
from forge.fragments import GenerationStore, reader_cached


def test_store_keeps_values_while_the_generations_stay():
    store, loads = GenerationStore(), []

    def load():
        loads.append(1)
        return len(loads)

    assert store.get((1, 1), "k", load) == 1
    assert store.get((1, 1), "k", load) == 1
    assert store.get((1, 2), "k", load) == 2      # a write anywhere: computed again
    assert store.get((1, 2), "k", load) == 2
    assert store.get((1, 1), "k", load) == 1      # an older generation: its own value
    assert len(loads) == 2


def test_store_keeps_the_last_generations_only():
    store = GenerationStore(generations=2)
    store.get((1, 1), "k", lambda: "at 1")
    store.get((1, 2), "k", lambda: "at 2")
    assert store.get((1, 1), "k", lambda: "again") == "at 1"
    store.get((2, 0), "k", lambda: "at 3")        # a third: the oldest goes
    assert store.get((1, 1), "k", lambda: "again") == "again"
    assert len(store) == 2 and store.get((1, 1), "k", lambda: "x") == "x"  # not kept
    assert store.get((1, 2), "k", lambda: "again") == "at 2"
    # values are never given under other generations, and the bounds count them all
    assert store.get((2, 1), "k", lambda: "at 4") == "at 4"
    assert store.get((1, 2), "k", lambda: "late") == "late"     # older than those kept


def test_store_bounds_count_every_generation():
    store = GenerationStore(size=3, max_chars=10_000)
    for n in range(3):
        store.get((0, n), "k", lambda: "x" * 3_000)
    store.get((0, 2), "other", lambda: "y" * 3_000)     # past the text budget
    assert len(store) == 3 and store._chars == 9_000
    assert store.get((0, 0), "k", lambda: "again") == "again"    # the least recent went


def test_store_is_bounded():
    store = GenerationStore(size=3)
    for n in range(5):
        store.get((0, 0), n, lambda n=n: n)
    assert len(store) == 3
    assert store.get((0, 0), 0, lambda: "again") == "again"   # least recent went first


def test_store_is_bounded_by_the_text_it_keeps():
    # whole pages are kept per reader: the count alone would let a process hold GBs
    store = GenerationStore(max_chars=10_000)
    for n in range(5):
        store.get((0, 0), n, lambda: "x" * 4_000)
    assert len(store) == 2 and store._chars == 8_000
    assert store.get((0, 0), 4, lambda: "new") == "x" * 4_000     # the latest stayed
    assert store.get((0, 0), 0, lambda: "again") == "again"       # the oldest went
    store.get((0, 0), "big", lambda: "y" * 20_000)                # more than it may hold
    assert len(store) == 0 and store._chars == 0


def fake_request(user_id, principals, token, generations=(4, 7)):
    registry = SimpleNamespace()
    user = SimpleNamespace(_id=user_id) if user_id else None
    return SimpleNamespace(registry=registry, user=user, principals=principals,
                           csrf_token=token, generations=generations)


def test_readers_never_share_a_piece(monkeypatch):
    monkeypatch.setattr(fragments, "page_generations", lambda request: request.generations)
    registry = SimpleNamespace()

    def request(*args, **kw):
        r = fake_request(*args, **kw)
        r.registry = registry
        return r

    member = request("u1", ["system.Everyone", "role:member"], "t1")
    assert reader_cached(member, "piece", lambda: "member's") == "member's"
    assert reader_cached(request("u1", ["system.Everyone", "role:member"], "t1"),
                         "piece", lambda: "again") == "member's"
    # another user, other principals (a role, a token's scope), another session
    assert reader_cached(request("u2", ["system.Everyone", "role:member"], "t2"),
                         "piece", lambda: "u2's") == "u2's"
    assert reader_cached(request("u1", ["system.Everyone"], "t1"),
                         "piece", lambda: "fewer roles") == "fewer roles"
    assert reader_cached(request("u1", ["system.Everyone", "role:member",
                                        "token-scope:read"], "t1"),
                         "piece", lambda: "scoped") == "scoped"
    assert reader_cached(request("u1", ["system.Everyone", "role:member"], "t3"),
                         "piece", lambda: "other session") == "other session"
    # a new generation: nothing kept is used
    assert reader_cached(request("u1", ["system.Everyone", "role:member"], "t1",
                                 generations=(4, 8)), "piece", lambda: "new") == "new"


def test_visitors_and_writing_requests_are_never_cached(monkeypatch):
    monkeypatch.setattr(fragments, "page_generations", lambda request: request.generations)
    registry = SimpleNamespace()
    for r in (fake_request(None, ["system.Everyone"], None),
              fake_request("u1", ["role:member"], "t1", generations=None)):
        r.registry = registry
        assert reader_cached(r, "piece", lambda: "first") == "first"
        r.__dict__.pop("forge_reader_key", None)
        r.__dict__.pop("forge_fragment_generations", None)
        assert reader_cached(r, "piece", lambda: "second") == "second"


def test_readers_with_the_same_verdicts_share_a_piece_with_their_own_token(monkeypatch):
    from forge.fragments import CSRF_SLOT, verdict_cached
    monkeypatch.setattr(fragments, "page_generations", lambda request: request.generations)
    registry = SimpleNamespace()

    def request(*args, **kw):
        r = fake_request(*args, **kw)
        r.registry = registry
        return r

    def form(who):
        return lambda: '<input value="%s"> %s' % (CSRF_SLOT, who)

    member = request("u1", ["role:member"], "t1")
    assert verdict_cached(member, "piece", lambda: ("post",), form("u1")) \
        == '<input value="t1"> u1'
    # another reader with the same verdicts: the same piece, their own token
    assert verdict_cached(request("u2", ["role:member"], "t2"), "piece", lambda: ("post",),
                          form("u2")) == '<input value="t2"> u1'
    # other verdicts, or none to give: made for that reader
    assert verdict_cached(request("u3", ["role:dev"], "t3"), "piece", lambda: ("moderate",),
                          form("u3")) == '<input value="t3"> u3'
    assert verdict_cached(request("u4", ["role:member"], "t4"), "piece", lambda: None,
                          form("u4")) == '<input value="t4"> u4'
    # a visitor's is made every time
    assert verdict_cached(request(None, ["system.Everyone"], "t5"), "piece",
                          lambda: ("post",), form("visitor")) == '<input value="t5"> visitor'
