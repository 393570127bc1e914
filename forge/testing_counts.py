"""Counting what a test's code does: database reads (on mim:// and over a real
socket), template renders, and a module's collection calls.  Part of the test
API through ``forge.testing``."""
import contextlib
import threading

from pymongo import monitoring


READ_COMMANDS = {"find", "aggregate", "count", "distinct", "getMore"}


class _CommandCounter(monitoring.CommandListener):
    """Counts read commands sent over a real socket (pymongo command monitoring)."""

    def __init__(self):
        self.active = None

    def started(self, event):
        if self.active is not None and event.command_name in READ_COMMANDS:
            self.active.append(event.command_name)

    def succeeded(self, event):
        pass

    def failed(self, event):
        pass


_wire_counter = _CommandCounter()
monitoring.register(_wire_counter)    # applies to clients created from now on


@contextlib.contextmanager
def count_queries():
    """Count database reads inside the block, on mim:// and on a real server.

    ::

        with count_queries() as reads:
            browser.get("/p/demo/notes/page/")
        assert len(reads) == 6
    """
    from ming import mim
    reads = []
    original = mim.Collection.find
    lock = threading.Lock()

    def counting_find(self, *args, **kw):
        with lock:
            reads.append("find")
        return original(self, *args, **kw)

    mim.Collection.find = counting_find
    _wire_counter.active = reads
    try:
        yield reads
    finally:
        mim.Collection.find = original
        _wire_counter.active = None


def count_renders(monkeypatch, module):
    """The templates ``module.render`` renders from now on (a list that grows):
    for tests that a kept piece of HTML is rendered once, not on every view."""
    calls = []
    real = module.render

    def counting(template, *args, **kw):
        calls.append(template)
        return real(template, *args, **kw)
    monkeypatch.setattr(module, "render", counting)
    return calls


def count_collection_calls(monkeypatch, module):
    """The ``(collection, method)`` calls ``module`` makes from now on through its
    ``collection`` and ``collection_named`` (a list that grows): for tests that
    a reactor reads or writes only what it must."""
    calls = []

    class Counting:
        def __init__(self, coll):
            self.coll = coll

        def __getattr__(self, name):
            calls.append((self.coll.name, name))
            return getattr(self.coll, name)
    for name in ("collection", "collection_named"):
        real = getattr(module, name, None)
        if real is not None:
            monkeypatch.setattr(module, name, lambda arg, real=real: Counting(real(arg)))
    return calls
