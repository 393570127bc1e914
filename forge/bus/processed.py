"""Which events each reactor has already processed, and per-reactor counters.

Delivery is at-least-once (a worker that dies before its ack gets the message
again, a relay that dies before marking a record sent publishes it again), so
the worker records ``(reactor, event_id)`` after the reactor succeeded and
skips an event it finds recorded: a reactor sees each event effectively once.
"""
import time

from ming import mim
from ming.odm import FieldProperty, MappedClass
from pymongo import UpdateOne
from pymongo.errors import DuplicateKeyError

from ..model.session import collection, insert_all_new, session

STATS_COLLECTION = "bus_stats"
COUNTERS = ("processed", "failed", "retried", "dead_lettered")


class ProcessedEvent(MappedClass):
    """One event one reactor finished (``_id`` = ``reactor event_id``)."""

    class __mongometa__:
        session = session
        name = "bus_processed"
        unique_indexes = [("reactor", "event_id")]
        indexes = [("at",)]                 # pruning by age (forge.bus.retention)

    _id = FieldProperty(str)
    reactor = FieldProperty(str)
    event_id = FieldProperty(str)
    at = FieldProperty(float)            # epoch seconds


def marker_id(reactor_name, event_id):
    return "%s %s" % (reactor_name, event_id)


def already_processed(reactor_name, event_id):
    return collection(ProcessedEvent).find_one(
        {"_id": marker_id(reactor_name, event_id)}, {"_id": 1}) is not None


def processed_among(reactor_name, event_ids):
    """The subset of ``event_ids`` the reactor already processed, in one query
    (an ``$in`` on ``_id``: served by the primary key, also on the embedded
    server)."""
    markers = {marker_id(reactor_name, event_id): event_id for event_id in event_ids}
    if len(markers) == 1:
        (marker, event_id), = markers.items()
        return {event_id} if collection(ProcessedEvent).find_one(
            {"_id": marker}, {"_id": 1}) is not None else set()
    return {markers[row["_id"]] for row in collection(ProcessedEvent).find(
        {"_id": {"$in": list(markers)}}, {"_id": 1})}


def mark_processed(reactor_name, event_id):
    """Record the event as done; False when it already was (a duplicate)."""
    try:
        collection(ProcessedEvent).insert_one({
            "_id": marker_id(reactor_name, event_id), "reactor": reactor_name,
            "event_id": event_id, "at": time.time()})
    except DuplicateKeyError:
        return False
    return True


def mark_all_processed(reactor_name, event_ids):
    """Record the events as done in one write; those already recorded (a
    duplicate delivery) are left as they are."""
    at = time.time()
    docs = [{"_id": marker_id(reactor_name, event_id), "reactor": reactor_name,
             "event_id": event_id, "at": at} for event_id in event_ids]
    insert_all_new(collection(ProcessedEvent), docs)


def add_stats(reactor_name, counts, lag_seconds=None):
    """Add ``counts`` (counter -> int) to the reactor's row of ``bus_stats``."""
    add_all_stats({reactor_name: (counts, lag_seconds)})


def add_all_stats(by_reactor):
    """Add each reactor's ``(counts, lag_seconds)`` to its row of ``bus_stats``,
    all in one write (``bulk_write``)."""
    now = time.time()
    writes = []
    for reactor_name, (counts, lag_seconds) in sorted(by_reactor.items()):
        update = {"$inc": {name: int(counts.get(name, 0)) for name in COUNTERS},
                  "$set": {"updated": now}}
        if lag_seconds is not None:
            update["$set"]["lag_seconds"] = float(lag_seconds)
        writes.append(UpdateOne({"_id": reactor_name}, update, upsert=True))
    stats = session.db[STATS_COLLECTION]
    if isinstance(stats, mim.Collection):     # mim's bulk_write stops after the first
        for write in writes:
            stats.update_one(write._filter, write._doc, upsert=True)
    elif writes:
        stats.bulk_write(writes, ordered=False)


def read_stats():
    """Every reactor's counters: name -> dict."""
    return {row["_id"]: row for row in session.db[STATS_COLLECTION].find()}
