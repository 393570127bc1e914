"""The outbox: every event is stored in the database with its number.

``emit(registry, events)`` is called by the unit of work (``forge.unit_of_work``)
right *after* the flush that wrote the documents the events describe: it takes
the events' numbers of the global ``seq`` in one ``$inc`` (by n) and writes their
records in one ordered ``insert_many``, so that a unit of work costs two
database commands for its events however many it emits.  Then each event is
sent to the registry's subscribers (``registry.notify``) and the relay is woken
to publish the outbox to the message bus.  A flush that fails emits nothing.

Numbers are taken just before their records are written, as one event's number
always was: a failure between the two (the database gone, the process killed)
leaves numbers never written, which a stream waits for a few seconds and then
skips (``forge.views.events.Horizon``).  A block of numbers kept by a process
for later units of work would not do: streams would wait on the numbers it had
not used yet and skip the events written under them late.

The relay publishes unsent events in ``seq`` order and marks them sent once the
broker confirmed them, so an event is never lost when the broker is down.
"""
import time

from ming import schema as S
from ming.odm import FieldProperty, MappedClass
from pymongo import ReturnDocument

from .session import collection, session


class OutboxEvent(MappedClass):
    class __mongometa__:
        session = session
        name = "outbox"
        unique_indexes = [("seq",)]
        indexes = [("sent", "seq"), ("project_id", "seq")]

    _id = FieldProperty(str)                   # the event id
    seq = FieldProperty(int)                   # global order (Last-Event-ID)
    topic = FieldProperty(str)
    message = FieldProperty({str: S.Anything})  # ForgeEvent.to_message()
    ordering_key = FieldProperty(str)          # events of one node keep their order
    project_id = FieldProperty(str, if_missing=None)
    created = FieldProperty(float)             # epoch seconds
    sent = FieldProperty(bool, if_missing=False)
    sent_at = FieldProperty(float, if_missing=None)
    claimed_until = FieldProperty(float, if_missing=0.0)  # a relay's claim (epoch)
    claimed_by = FieldProperty(str, if_missing=None)     # which relay pass holds it


def next_sequence(count=1):
    """Reserve ``count`` consecutive numbers of the global event sequence (one
    atomic ``$inc``); return the first."""
    counters = session.db["counters"]
    doc = counters.find_one_and_update({"_id": "outbox"}, {"$inc": {"n": count}},
                                       upsert=True, return_document=ReturnDocument.AFTER)
    return doc["n"] - count + 1


def outbox_record(event, seq, created):
    """The stored document of ``event`` under number ``seq``, as the relay,
    the streams and the pruning read it (``OutboxEvent``'s fields)."""
    message = event.to_message()
    return {"_id": event.id, "seq": seq, "topic": event.topic, "message": message,
            "ordering_key": message["node_id"] or event.id,
            "project_id": message.get("project_id"), "created": created,
            "sent": False, "sent_at": None, "claimed_until": 0.0, "claimed_by": None}


def emit(registry, events):
    """Write the outbox records of one unit of work's ``events`` (numbered
    consecutively in this order), then tell subscribers and wake the relay.
    Call it after the flush of the documents they describe."""
    events = list(events)
    if not events:
        return []
    records = write_records(events)
    for event in events:
        registry.notify(event)
    wake = getattr(registry, "forge_bus_wake", None)
    if wake is not None:
        wake()
    return records


def write_records(events):
    """Number ``events`` (one ``$inc``) and insert their records (one ordered
    ``insert_many``); return the records."""
    first = next_sequence(len(events))
    created = time.time()
    records = [outbox_record(event, first + i, created) for i, event in enumerate(events)]
    collection(OutboxEvent).insert_many(records, ordered=True)
    return records
