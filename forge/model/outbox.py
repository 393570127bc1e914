"""The outbox: every event is stored with the documents it describes.

``emit(registry, event)`` is called by the unit of work (``forge.unit_of_work``)
*before* it flushes: it adds an ``OutboxEvent`` to the Ming session, so the
same flush writes the documents and the record of the change.  After that flush succeeds, the event is sent to the
registry's subscribers (``registry.notify``) and the relay is woken to publish
the outbox to the message bus; a flush that fails sends nothing.

The relay publishes unsent events in ``seq`` order and marks them sent once the
broker confirmed them, so an event is never lost when the broker is down.
"""
import time

from ming import schema as S
from ming.odm import FieldProperty, MappedClass
from pymongo import ReturnDocument



from .session import session


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
    """Reserve ``count`` numbers of the global event sequence (atomic ``$inc``)."""
    counters = session.db["counters"]
    doc = counters.find_one_and_update({"_id": "outbox"}, {"$inc": {"n": count}},
                                       upsert=True, return_document=ReturnDocument.AFTER)
    return doc["n"] - count + 1


def emit(registry, event):
    """Record ``event`` in the outbox of the coming flush; notify after it."""
    message = event.to_message()
    record = OutboxEvent(_id=event.id, seq=next_sequence(), topic=event.topic,
                         message=message, ordering_key=message["node_id"] or event.id,
                         project_id=message.get("project_id"), created=time.time())
    pending = _pending()
    pending.append((registry, event, record))
    return record


def _pending():
    odm = session._get()
    if not hasattr(odm, "forge_pending_events"):
        odm.forge_pending_events = []
    return odm.forge_pending_events
