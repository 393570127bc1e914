"""What the relay and the workers do per batch keeps each effect once and in
order: a relay that dies between the broker's confirm and its write of
``sent`` publishes the batch again, and the worker's markers (written once
per fetched batch, before the acks) make the reactor's effect happen once."""
import uuid

import pytest

from forge.bus import amqp
from forge.bus import outbox_passes as passes_module
from forge.bus import worker as worker_module
from forge.bus.processed import already_processed
from forge.bus.registry import Reactor
from forge.bus.relay import Relay
from forge.bus.worker import ReactorWorker
from forge.model import OutboxEvent
from forge.model.session import collection

from .conftest import CLOSED_PORT_URL


class Crash(Exception):
    """The relay's process dying after the confirm, before the mark."""


@pytest.fixture
def seen():
    return []


@pytest.fixture
def reactor(registry, seen):
    """A reactor on ``project.created`` whose effect is adding the event id to ``seen``."""
    name = "test-batched-%s" % uuid.uuid4().hex[:8]
    registry.forge_reactors[name] = Reactor(
        name=name, topic="project.created", fn=lambda event, context: seen.append(event["id"]))
    yield registry.forge_reactors[name]
    registry.forge_reactors.pop(name, None)


def saved_while_the_broker_is_down(registry, make_user, make_project, count):
    """Save ``count`` projects with nothing published; return the ids of the
    ``project.created`` records in ``seq`` order."""
    registry.settings["forge.bus.url"] = CLOSED_PORT_URL
    registry.forge_relay.disconnect()
    ada = make_user("ada")
    for i in range(count):
        make_project("c%d" % i, ada)
    registry.settings["forge.bus.url"] = "memory://"
    return [d["_id"] for d in collection(OutboxEvent).find(
        {"topic": "project.created", "sent": False}).sort("seq", 1)]


def expire_claims_of(relay):
    collection(OutboxEvent).update_many({"claimed_by": relay._token},
                                        {"$set": {"claimed_until": 0.0}})


def unsent_ids():
    return [d["_id"] for d in collection(OutboxEvent).find({"sent": False}).sort("seq", 1)]


def test_a_relay_dead_before_its_mark_resends_and_the_effect_is_once_in_order(
        registry, reactor, seen, make_user, make_project, monkeypatch):
    created = saved_while_the_broker_is_down(registry, make_user, make_project, 5)
    assert len(created) == 6                       # ada's personal project too
    waiting = unsent_ids()

    dying = Relay(registry)

    def crash(records):
        raise Crash()
    monkeypatch.setattr(dying, "_mark_sent", crash)
    with pytest.raises(Crash):
        dying.publish_pending()                    # every record published and confirmed
    assert unsent_ids() == waiting                 # ... and none marked sent
    expire_claims_of(dying)                        # as they do once it is gone
    dying.disconnect()

    again = Relay(registry)
    assert again.publish_pending() == len(waiting)  # published a second time
    assert unsent_ids() == []
    again.disconnect()

    writes = []
    real = worker_module.mark_all_processed

    def counted(name, event_ids):
        writes.append(list(event_ids))
        real(name, event_ids)
    monkeypatch.setattr(worker_module, "mark_all_processed", counted)
    worker = ReactorWorker(registry, reactor)
    assert worker.run_until_idle() == 2 * len(created)   # every copy came
    assert seen == created                 # once each, in seq order
    assert sum(writes, []) == created              # recorded once each ...
    assert len(writes) < len(created)              # ... a batch per write
    assert all(already_processed(reactor.name, event_id) for event_id in created)


def test_markers_are_written_before_the_batch_is_acked(registry, reactor, seen, make_user,
                                                       make_project, monkeypatch):
    created = saved_while_the_broker_is_down(registry, make_user, make_project, 3)
    Relay(registry).publish_pending()
    order = []
    real_mark = worker_module.mark_all_processed
    real_settle = ReactorWorker._settle

    def mark(name, event_ids):
        order.append(("marked", list(event_ids)))
        real_mark(name, event_ids)

    def settle(self, finished):
        real_settle(self, finished)
        order.append(("acked", [event_id for event_id, _message in finished]))
    monkeypatch.setattr(worker_module, "mark_all_processed", mark)
    monkeypatch.setattr(ReactorWorker, "_settle", settle)
    ReactorWorker(registry, reactor).run_until_idle()
    assert seen == created
    for marked, acked in zip(order[::2], order[1::2]):
        assert marked[0] == "marked" and acked[0] == "acked" and marked[1] == acked[1]


def test_a_failing_reactor_in_a_batch_leaves_the_others_recorded(
        registry, make_user, make_project):
    name = "test-batched-fail-%s" % uuid.uuid4().hex[:8]
    seen = []

    def fails_on_second(event, context):
        seen.append(event["id"])
        if len(seen) == 2:
            raise RuntimeError("boom")
    registry.forge_reactors[name] = reactor = Reactor(
        name=name, topic="project.created", fn=fails_on_second)
    try:
        registry.settings["forge.bus.max_attempts"] = "2"
        registry.settings["forge.bus.retry_base_seconds"] = "0.01"
        created = saved_while_the_broker_is_down(registry, make_user, make_project, 3)
        Relay(registry).publish_pending()
        ReactorWorker(registry, reactor).run_until_idle()
        assert sorted(set(seen)) == sorted(created)
        assert seen.count(created[1]) == 2         # the failed one ran again, alone
        assert all(seen.count(event_id) == 1 for event_id in created if event_id != created[1])
        assert all(already_processed(name, event_id) for event_id in created)
    finally:
        registry.forge_reactors.pop(name, None)


def test_only_a_first_publication_is_marked_first_copy(registry, listen, make_user,
                                                       make_project, monkeypatch):
    saved_while_the_broker_is_down(registry, make_user, make_project, 1)
    listen()
    dying = Relay(registry)
    monkeypatch.setattr(dying, "_mark_sent", lambda records: (_ for _ in ()).throw(Crash()))
    with pytest.raises(Crash):
        dying.publish_pending()
    first = listen()
    assert first and all(m.headers.get(amqp.FIRST_COPY_HEADER) == 1 for m in first)
    expire_claims_of(dying)
    dying.disconnect()
    Relay(registry).publish_pending()
    again = listen()
    assert [m.properties["message_id"] for m in again] == [
        m.properties["message_id"] for m in first]
    assert not any(amqp.FIRST_COPY_HEADER in m.headers for m in again)


def test_a_pass_slower_than_a_claim_can_last_marks_no_first_copy(
        registry, listen, make_user, make_project, monkeypatch):
    saved_while_the_broker_is_down(registry, make_user, make_project, 1)
    listen()
    monkeypatch.setattr(passes_module, "FIRST_COPY_SECONDS", -1.0)
    assert Relay(registry).publish_pending() > 0
    assert not any(amqp.FIRST_COPY_HEADER in m.headers for m in listen())


def test_a_broker_failing_mid_batch_leaves_first_copies_only_for_what_it_never_got(
        registry, listen, make_user, make_project, monkeypatch):
    saved_while_the_broker_is_down(registry, make_user, make_project, 3)
    listen()
    waiting = unsent_ids()
    assert len(waiting) >= 4
    relay = Relay(registry)
    real_producer = relay._ensure_producer

    class FailsOnThird:
        def __init__(self, producer):
            self.producer, self.calls = producer, 0

        def publish(self, *args, **kwargs):
            self.calls += 1
            if self.calls == 3:
                raise ConnectionError("the broker went away")
            return self.producer.publish(*args, **kwargs)

        def __getattr__(self, name):
            return getattr(self.producer, name)
    failing = FailsOnThird(real_producer())
    monkeypatch.setattr(relay, "_ensure_producer", lambda: failing)
    with pytest.raises(ConnectionError):
        relay.publish_pending()
    assert len(listen()) == 2
    by_id = {d["_id"]: d for d in collection(OutboxEvent).find({"_id": {"$in": waiting}})}
    # handed to the broker (the third perhaps half-sent): a later copy may repeat them
    assert all(by_id[i]["claimed_by"] for i in waiting[:3])
    assert all(by_id[i]["claimed_by"] is None for i in waiting[3:])
    assert all(by_id[i]["claimed_until"] == 0.0 for i in waiting)   # given back at once

    monkeypatch.undo()
    Relay(registry).publish_pending()
    first = {m.properties["message_id"]: amqp.FIRST_COPY_HEADER in m.headers for m in listen()}
    assert first == {i: i in waiting[3:] for i in waiting}
