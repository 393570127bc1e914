"""The batch window (forge.bus.fetches.BatchWindow): a batch reactor waits for
more only while its queue is busy, longer the busier it is, never longer than
``forge.bus.batch_window_seconds`` (or its own ``max_seconds``); an event
after a quiet spell is handed over at once."""
import threading
import time
import uuid

import pytest
from kombu import Connection, Producer

from forge.bus import amqp
from forge.bus import fetches
from forge.bus.batches import Batching
from forge.bus.fetches import BatchWindow
from forge.bus.registry import Reactor
from forge.bus.worker import ReactorWorker


def test_the_window_is_shut_on_an_idle_queue_and_opens_with_the_messages_of_the_last_second():
    window = BatchWindow(0.1)
    assert window.seconds(100.0) == 0.0                    # nothing came before
    window.note(100.0, 1)
    assert window.seconds(100.5) == pytest.approx(0.01)    # one other in the last second
    window.note(100.5, 3)
    assert window.seconds(100.6) == pytest.approx(0.04)
    assert window.seconds(100.6, in_hand=4) == pytest.approx(0.07)   # a backlog in hand
    window.note(100.6, 10)
    assert window.seconds(100.7) == 0.1                    # never longer than the longest
    assert window.seconds(102.0) == 0.0                    # a quiet second: shut again


def test_the_longest_wait_is_the_setting_or_the_reactors_own_when_longer():
    def reactor(seconds):
        return Reactor(name="r", topic="#", fn=lambda events, context: None,
                       batch=Batching(10, seconds))
    assert BatchWindow.of(reactor(0.02), {}).longest == fetches.BATCH_WINDOW_SECONDS
    assert BatchWindow.of(reactor(0.02), {"forge.bus.batch_window_seconds": "0.3"}).longest \
        == 0.3
    assert BatchWindow.of(reactor(0.5), {"forge.bus.batch_window_seconds": 0.1}).longest == 0.5
    assert BatchWindow.of(reactor(0.0), {"forge.bus.batch_window_seconds": 0}).longest == 0.0


def test_a_busy_worker_gathers_until_its_window_ends(registry, monkeypatch):
    reactor = Reactor(name="r", topic="#", fn=lambda events, context: None,
                      batch=Batching(10, 0.01))
    monkeypatch.setitem(registry.settings, "forge.bus.batch_window_seconds", 1.0)
    worker = ReactorWorker(registry, reactor)
    waits = []
    monkeypatch.setattr(fetches, "_gather", lambda worker, connection, gathered_by:
                        waits.append(gathered_by - time.monotonic()))
    for _fetch in range(3):
        worker._inbox = [("body", "message")] * 2
        fetches.gather(worker, None, time.monotonic() + 5)
    # each fetch of two: one other in hand, then two and four more of the last second
    assert [round(w, 1) for w in waits] == [0.1, 0.3, 0.5]


def publish(reactor, event_id):
    with Connection("memory://") as connection:
        Producer(connection.channel()).publish(
            {"id": event_id, "topic": "test.event"}, serializer="json",
            routing_key=amqp.reactor_queue_name(reactor.name), message_id=event_id)


def test_an_event_after_a_quiet_spell_is_handed_over_without_the_window(registry, monkeypatch):
    """Before the window a batch reactor always waited its ``max_seconds``
    (here 3 s) after the first message."""
    monkeypatch.setitem(registry.settings, "forge.bus.batch_window_seconds", 0)
    calls = []
    name = "test-window-%s" % uuid.uuid4().hex[:8]
    reactor = registry.forge_reactors[name] = Reactor(
        name=name, topic="test.#", batch=Batching(50, 3.0),
        fn=lambda events, context: calls.append(([e["id"] for e in events], time.monotonic())))
    worker = ReactorWorker(registry, reactor)
    thread = threading.Thread(target=worker.run, daemon=True)
    try:
        thread.start()
        time.sleep(0.3)                    # the queue declared, the consumer idle
        published = time.monotonic()
        publish(reactor, "e1")
        deadline = time.monotonic() + 10
        while not calls and time.monotonic() < deadline:
            time.sleep(0.01)
        assert [ids for ids, _at in calls] == [["e1"]]
        assert calls[0][1] - published < 1.5
    finally:
        worker.stop()
        thread.join(5)
        registry.forge_reactors.pop(name, None)
