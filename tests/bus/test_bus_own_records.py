"""A process whose relay runs as a thread writes its outbox records claimed by
that relay and hands them over (``forge.bus.own_records``): the relay
publishes them in order without reading or claiming the outbox, as first
copies, and reads the outbox as before when they do not follow what it last
published; another relay finds them claimed."""
import time
from types import SimpleNamespace

import pytest

from forge.bus import amqp, outbox_passes
from forge.bus.own_records import OwnRecords
from forge.bus.relay import Relay
from forge.events import ForgeEvent
from forge.model import OutboxEvent
from forge.model.outbox import SequenceHint, write_records
from forge.model.session import collection


class Ping(ForgeEvent):
    topic = "test.ping"


def stored(query):
    return [SimpleNamespace(**doc) for doc in collection(OutboxEvent).find(query).sort("seq", 1)]


class CountedOutbox:
    """The outbox collection, counting the relay's reads and claims."""

    def __init__(self):
        self.real = collection(OutboxEvent)
        self.finds = 0
        self.claims = 0

    def find(self, *args, **kwargs):
        self.finds += 1
        return self.real.find(*args, **kwargs)

    def bulk_write(self, writes, **kwargs):
        self.claims += sum(1 for w in writes if type(w).__name__ == "UpdateMany")
        return self.real.bulk_write(writes, **kwargs)

    def update_many(self, query, update, **kwargs):
        if "claimed_by" in update.get("$set", {}):
            self.claims += 1
        return self.real.update_many(query, update, **kwargs)

    def __getattr__(self, name):
        return getattr(self.real, name)


@pytest.fixture
def own_relay(registry, monkeypatch):
    """The registry's relay as a relay thread has it (its process's saves
    claim their records for it), passes run by the test."""
    relay = registry.forge_relay
    relay.own = OwnRecords()
    relay.own.claiming = True
    monkeypatch.setattr(registry, "forge_bus_wake", None, raising=False)
    counted = CountedOutbox()
    monkeypatch.setattr(outbox_passes, "outbox", lambda: counted)
    yield relay, counted
    relay.own.claiming = False


def test_own_records_go_out_in_order_without_a_read_or_a_claim(
        registry, listen, make_user, make_project, own_relay):
    relay, counted = own_relay
    ada = make_user("ada")
    first = stored({"sent": False})
    assert first and all(r.claimed_by == relay.own.token and r.claimed_until > time.time()
                         for r in first)
    assert relay.publish_pending() == len(first)      # the first pass reads: no order known
    listen()

    finds, claims = counted.finds, counted.claims
    make_project("demo", ada)
    make_project("docs", ada, parent="demo")
    waiting = stored({"sent": False})
    assert len(waiting) >= 2
    assert relay.publish_pending(read=False) == len(waiting)
    assert (counted.finds, counted.claims) == (finds, claims)   # as handed
    messages = listen()
    assert [m.properties["message_id"] for m in messages] == [r._id for r in waiting]
    assert all(m.headers.get(amqp.FIRST_COPY_HEADER) for m in messages)
    relay.mark_confirmed()
    assert stored({"sent": False}) == []
    assert all(r.sent and r.claimed_until == 0.0 for r in stored({"_id": {"$in": [
        r._id for r in waiting]}}))


def test_a_record_of_another_process_between_them_is_read_and_published_first(
        registry, listen, make_user, make_project, own_relay):
    relay, counted = own_relay
    ada = make_user("ada")
    relay.publish_pending()
    listen()
    # another process (no relay of ours) writes the next number, unclaimed
    other = write_records([Ping(ada, source="test")], SequenceHint())
    assert other[0]["claimed_by"] is None
    registry.forge_sequence_hint.forget()
    make_project("demo", ada)
    waiting = stored({"sent": False})
    assert waiting[0]._id == other[0]["_id"]
    finds = counted.finds
    assert relay.publish_pending(read=False) == len(waiting)
    assert counted.finds > finds                       # a gap: the outbox is read
    messages = listen()
    assert [m.properties["message_id"] for m in messages] == [r._id for r in waiting]
    assert all(m.headers.get(amqp.FIRST_COPY_HEADER) for m in messages)   # none claimed before
    relay.mark_confirmed()
    assert stored({"sent": False}) == []


def test_another_relay_finds_them_claimed(registry, listen, make_user, own_relay):
    relay, _counted = own_relay
    make_user("ada")
    other = Relay(registry)
    assert other.publish_pending() == 0                # held: nothing overtakes
    assert listen() == []
    assert relay.publish_pending() > 0
    other.disconnect()


def test_another_relay_polls_quickly_only_when_it_could_publish_behind_the_claim(
        registry, listen, make_user, make_project, own_relay):
    from forge.bus.relay import HELD_POLL_SECONDS
    relay, _counted = own_relay
    ada = make_user("ada")
    make_project("demo", ada)
    other = Relay(registry)
    other.poll_seconds = 1.0
    assert other.publish_pending() == 0
    # every unsent record is held by the saves' own relay: its to publish,
    # nothing for this one to take before the claims expire
    assert other.saw_unsent and not other.saw_held
    assert other._next_poll(1.0) == 1.0
    # a record nobody claimed (a process without a relay thread) waits behind them
    write_records([Ping(ada, source="test")], SequenceHint())
    assert other.publish_pending() == 0                # still held: nothing overtakes
    assert other.saw_held
    assert other._next_poll(1.0) == HELD_POLL_SECONDS
    assert listen() == []
    relay.publish_pending()
    other.disconnect()


def test_handed_records_wait_for_a_read_when_they_may_not_go_as_handed():
    own = OwnRecords()
    now = time.time()

    def records(*seqs, created=now):
        return [{"_id": "e%d" % s, "seq": s, "created": created} for s in seqs]
    own.hand(records(5, 6))
    assert own.ready(5.0) is None                  # nothing published yet: order unknown
    own.published(4)
    own.hand(records(6, 5))
    assert [r["seq"] for r in own.ready(5.0)] == [5, 6]
    own.published(6)
    own.hand(records(8))
    assert own.ready(5.0) is None                  # 7 is someone else's, or lost
    own.hand(records(6, 7))
    assert [r["seq"] for r in own.ready(5.0)] == [7]   # 6 went already
    own.published(7)
    own.hand(records(8, created=now - 6))
    assert own.ready(5.0) is None                  # too old for a first copy
    assert own.ready(5.0) == []                    # nothing handed
    own.not_first.add("e8")
    own.hand(records(8))
    assert own.ready(5.0) is None
    assert not own.first_copy(own.token, "e8") and own.first_copy(None, "e9")
    assert own.first_copy(own.token, "e9") and not own.first_copy("another", "e9")
