"""The relay publishes the outbox in ``seq`` order on ``memory://`` and marks
records sent only once the broker took them; a broker that is down never
fails a save, and the backlog goes out in order when it is back."""
import logging
import time
from types import SimpleNamespace

import pytest

from forge.bus import amqp
from forge.bus.relay import CLAIM_SECONDS, Relay, relay_mode
from forge.model import OutboxEvent
from forge.model.session import collection

from .conftest import CLOSED_PORT_URL


def stored(query):
    """The outbox records as stored (Ming's identity map keeps the copies the
    actions created, which the relay's writes do not change)."""
    return [SimpleNamespace(**doc) for doc in collection(OutboxEvent).find(query).sort("seq", 1)]


def unsent():
    return stored({"sent": False})


def last_seq():
    records = stored({})
    return records[-1].seq if records else 0


def test_the_auto_mode_follows_the_database_and_the_bus():
    def mode(db, bus, relay="auto"):
        return relay_mode({"ming.main.uri": db, "forge.bus.url": bus, "forge.bus.relay": relay})
    assert mode("mim://", "memory://") == "inline"
    assert mode("mongodb://h", "memory://") == "off"
    assert mode("mongodb://h", "amqp://h//") == "thread"
    assert mode("mongodb://h", "amqp://h//", "off") == "off"
    with pytest.raises(ValueError):
        mode("mim://", "memory://", "sometimes")


def test_records_are_published_in_seq_order_and_marked_sent(registry, listen, make_user,
                                                            make_project):
    start = last_seq()
    ada = make_user("ada")
    make_project("demo", ada)
    make_project("docs", ada, parent="demo")
    records = stored({"seq": {"$gt": start}})
    assert len(records) >= 3
    messages = listen()
    assert [m.headers["seq"] for m in messages] == [r.seq for r in records]
    assert [m.properties["message_id"] for m in messages] == [r._id for r in records]
    assert [m.delivery_info["routing_key"] for m in messages] == [r.topic for r in records]
    assert messages[0].decode() == records[0].message
    assert messages[0].properties["delivery_mode"] == 2
    assert messages[-1].headers["ordering_key"] == records[-1].ordering_key
    assert all(r.sent and r.sent_at >= r.created for r in records)
    assert unsent() == []


def test_a_broker_that_is_down_fails_no_save_and_gets_the_backlog_in_order(
        registry, listen, make_user, make_project, caplog):
    relay = registry.forge_relay
    registry.settings["forge.bus.url"] = CLOSED_PORT_URL
    relay.disconnect()
    start = last_seq()
    with caplog.at_level(logging.WARNING, logger="forge.bus.relay"):
        ada = make_user("ada")
        for name in ("one", "two", "three"):
            make_project(name, ada)
    waiting = unsent()
    assert [r.seq for r in waiting] == sorted(r.seq for r in waiting)
    assert len(waiting) >= 4 and waiting[0].seq == start + 1
    assert relay.failures >= 1
    failures = [r for r in caplog.records if "bus relay failed" in r.getMessage()]
    assert failures and "127.0.0.1:1" in failures[0].getMessage()
    assert len(failures) == 1           # backing off: one line, not one per save
    assert listen() == []

    registry.settings["forge.bus.url"] = "memory://"
    assert relay.publish_pending() == len(waiting)
    messages = listen()
    assert [m.properties["message_id"] for m in messages] == [r._id for r in waiting]
    assert unsent() == []


def test_a_record_claimed_by_another_relay_holds_back_the_later_ones(
        registry, listen, make_user, make_project):
    registry.settings["forge.bus.url"] = CLOSED_PORT_URL
    registry.forge_relay.disconnect()
    ada = make_user("ada")
    make_project("demo", ada)
    registry.settings["forge.bus.url"] = "memory://"
    waiting = unsent()
    outbox = collection(OutboxEvent)

    outbox.update_one({"_id": waiting[0]._id},
                      {"$set": {"claimed_until": time.time() + CLAIM_SECONDS}})
    other = Relay(registry)
    assert other.publish_pending() == 0           # keeps the order: nothing overtakes
    assert listen() == []
    outbox.update_one({"_id": waiting[0]._id}, {"$set": {"claimed_until": 0.0}})
    assert other.publish_pending() == len(waiting)
    assert [m.properties["message_id"] for m in listen()] == [r._id for r in waiting]
    other.disconnect()
