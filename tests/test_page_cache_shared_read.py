"""The generations read shared by requests that arrive together
(``forge.model.cache.SharedRead``): fewer round trips, and still a value read
after each request arrived, so a write finished before it is always seen."""
import threading

import pytest
from pymongo.errors import ServerSelectionTimeoutError

from forge import page_cache
from forge.model.cache import SharedRead

WAIT = 10       # seconds: a bound for a broken test, never a measured time


class Database:
    """A read takes its snapshot when it starts and answers when let go
    (the first read only, unless ``hold_every``)."""

    def __init__(self, hold_every=False):
        self.value = 1
        self.reads = []
        self.started = threading.Event()
        self.let_go = threading.Event()
        self.hold_every = hold_every
        self.error = None

    def read(self):
        value = self.value
        self.reads.append(value)
        if len(self.reads) == 1 or self.hold_every:
            self.started.set()
            assert self.let_go.wait(WAIT)
        if self.error is not None:
            raise self.error
        return value


def waiting_callers(shared):
    """An event per caller that starts waiting for a read (``.count``)."""
    class Waiting:
        count = 0
        changed = threading.Condition()

        def until(self, n):
            with self.changed:
                assert self.changed.wait_for(lambda: self.count >= n, WAIT)
    waiting = Waiting()
    real_wait = shared._changed.wait

    def noted_wait(*args):
        with waiting.changed:
            waiting.count += 1
            waiting.changed.notify_all()
        return real_wait(*args)
    shared._changed.wait = noted_wait
    return waiting


def ask(shared, results, name):
    def run():
        try:
            results[name] = shared()
        except Exception as error:
            results[name] = error
    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_a_read_on_its_way_is_never_the_answer_of_a_later_request():
    database = Database()
    shared = SharedRead(database.read)
    waiting = waiting_callers(shared)
    results = {}
    first = ask(shared, results, "first")
    assert database.started.wait(WAIT)
    database.value = 2                  # a write finishes while the first read is out
    later = ask(shared, results, "later")
    waiting.until(1)                    # the later request asked while it was out
    database.let_go.set()
    first.join(WAIT), later.join(WAIT)
    assert results == {"first": 1, "later": 2}
    assert database.reads == [1, 2]


def test_requests_that_ask_while_a_read_is_out_share_the_next_one():
    database = Database()
    shared = SharedRead(database.read)
    waiting = waiting_callers(shared)
    results = {}
    threads = [ask(shared, results, "first")]
    assert database.started.wait(WAIT)
    database.value = 2
    threads += [ask(shared, results, name) for name in ("b", "c", "d")]
    waiting.until(3)
    database.let_go.set()
    for thread in threads:
        thread.join(WAIT)
    assert results == {"first": 1, "b": 2, "c": 2, "d": 2}
    assert database.reads == [1, 2]     # four requests, two round trips


def test_an_error_goes_to_every_request_that_shared_the_read_and_the_next_reads_again():
    database = Database(hold_every=True)
    shared = SharedRead(database.read)
    waiting = waiting_callers(shared)
    database.let_go.set()
    assert shared() == 1
    database.let_go.clear()
    database.error = ServerSelectionTimeoutError("refused")
    results = {}
    threads = [ask(shared, results, "first")]
    assert database.started.wait(WAIT)
    threads += [ask(shared, results, name) for name in ("b", "c")]
    waiting.until(2)
    database.let_go.set()
    for thread in threads:
        thread.join(WAIT)
    assert all(isinstance(results[name], ServerSelectionTimeoutError) for name in results)
    assert results["b"] is not results["c"]         # each raises its own copy
    database.error = None
    assert shared() == 1 and len(database.reads) == 4


def test_a_read_that_does_not_return_leaves_the_next_caller_to_read():
    calls = []

    def read():
        calls.append(1)
        if len(calls) == 1:
            raise KeyboardInterrupt
        return (1, 1)
    shared = SharedRead(read)
    with pytest.raises(KeyboardInterrupt):
        shared()
    assert shared() == (1, 1)


def test_the_page_cache_reads_the_generations_through_one_shared_read():
    assert isinstance(page_cache._generations, SharedRead)
