"""The relay's claim when another relay takes records between its read and its
claim: it publishes only the leading run it got, gives the rest back, and the
order holds when the others go out."""
import time
from types import SimpleNamespace

from forge.bus import outbox_passes as passes_module
from forge.bus.relay import CLAIM_SECONDS, Relay
from forge.model import OutboxEvent
from forge.model.session import collection

from .conftest import CLOSED_PORT_URL


def unsent():
    return [SimpleNamespace(**doc) for doc in
            collection(OutboxEvent).find({"sent": False}).sort("seq", 1)]


class ClaimsOneFirst:
    """The outbox collection, except that the first claim (``update_many``)
    finds the record ``taken`` already claimed by another relay."""

    def __init__(self, real, taken):
        self.real, self.taken, self.done = real, taken, False

    def _before_claim(self, update):
        if not self.done and "claimed_by" in update.get("$set", {}):
            self.done = True
            self.real.update_one({"_id": self.taken}, {"$set": {
                "claimed_until": time.time() + CLAIM_SECONDS, "claimed_by": "another"}})

    def update_many(self, query, update):
        self._before_claim(update)
        return self.real.update_many(query, update)

    def bulk_write(self, writes, **kwargs):
        # over the wire the claim shares a bulk_write with the previous marks
        for write in writes:
            self._before_claim(write._doc)
        return self.real.bulk_write(writes, **kwargs)

    def __getattr__(self, name):
        return getattr(self.real, name)


def save_unsent(registry, make_user, make_project, *projects):
    """Projects saved while the broker cannot be reached: their events wait
    in the outbox, unsent; the bus is memory:// again afterwards.  Returns
    their admin."""
    registry.settings["forge.bus.url"] = CLOSED_PORT_URL
    registry.forge_relay.disconnect()
    ada = make_user("ada")
    for name in projects:
        make_project(name, ada)
    registry.settings["forge.bus.url"] = "memory://"
    return ada


def test_records_taken_between_read_and_claim_hold_back_the_later_ones(
        registry, listen, make_user, make_project, monkeypatch):
    save_unsent(registry, make_user, make_project, "demo", "docs")
    waiting = unsent()
    assert len(waiting) >= 4
    listen()                                                 # nothing yet

    real = collection(OutboxEvent)
    proxy = ClaimsOneFirst(real, waiting[2]._id)
    monkeypatch.setattr(passes_module, "outbox", lambda: proxy)
    relay = Relay(registry)
    assert relay.publish_pending() == 2                      # the run before the taken one
    assert [m.properties["message_id"] for m in listen()] == [r._id for r in waiting[:2]]
    rest = unsent()
    assert [r._id for r in rest] == [r._id for r in waiting[2:]]
    assert rest[0].claimed_by == "another"
    assert all(r.claimed_until == 0.0 for r in rest[1:])     # given back at once

    assert relay.publish_pending() == 0                      # still held: order holds
    real.update_one({"_id": rest[0]._id}, {"$set": {"claimed_until": 0.0}})   # it expired
    assert relay.publish_pending() == len(rest)
    assert [m.properties["message_id"] for m in listen()] == [r._id for r in rest]
    assert unsent() == []
    relay.disconnect()


class CountsBulkWrites:
    """The outbox collection, noting what each ``bulk_write`` carried."""

    def __init__(self, real):
        self.real, self.bulk = real, []

    def bulk_write(self, writes, **kwargs):
        self.bulk.append([type(write).__name__ for write in writes])
        return self.real.bulk_write(writes, **kwargs)

    def __getattr__(self, name):
        return getattr(self.real, name)


def test_the_relay_thread_marks_a_pass_sent_with_the_next_claim(
        registry, listen, make_user, make_project, monkeypatch):
    ada = save_unsent(registry, make_user, make_project, "demo")
    first = unsent()
    listen()
    proxy = CountsBulkWrites(collection(OutboxEvent))
    monkeypatch.setattr(passes_module, "outbox", lambda: proxy)
    relay = Relay(registry)
    assert relay.publish_pending(defer_marks=True) == len(first)
    assert [r._id for r in unsent()] == [r._id for r in first]   # confirmed, not marked yet
    assert relay.publish_pending(defer_marks=True) == 0          # not published again
    assert unsent() == []                                        # marked when nothing followed
    assert [m.properties["message_id"] for m in listen()] == [r._id for r in first]

    def saved_unsent(name):
        registry.settings["forge.bus.url"] = CLOSED_PORT_URL   # the app's own relay fails
        make_project(name, ada)
        registry.settings["forge.bus.url"] = "memory://"
    saved_unsent("docs")
    second = unsent()
    assert relay.publish_pending(defer_marks=True) == len(second)
    saved_unsent("wiki")                                          # the next flush
    third = [r for r in unsent() if r._id not in {s._id for s in second}]
    proxy.bulk.clear()
    assert relay.publish_pending(defer_marks=True) == len(third)
    # one command: the second pass's marks, then the third's claim
    assert proxy.bulk[0] == ["ReplaceOne"] * len(second) + ["UpdateMany"]
    assert [r._id for r in unsent()] == [r._id for r in third]
    relay.mark_confirmed()
    assert unsent() == []
    relay.disconnect()
