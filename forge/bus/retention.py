"""Keeping the bus's own records from growing for ever.

Two collections grow with every change: the outbox (one record per event)
and ``bus_processed`` (one marker per event and reactor).  Neither is needed
for long once the event is delivered: a sent outbox record only serves
``@@events`` resumes (Last-Event-ID) of listeners that were away, and a
processed marker only guards against a redelivery, which happens within
seconds of a crash.  So both are pruned after ``forge.bus.keep_days``
(default 7): the relay thread does it about once an hour, and
``forge admin prune-bus`` does it on demand.

Unsent records are never pruned, whatever their age: they are the events the
broker has not confirmed yet.
"""
import time

from ..model.outbox import OutboxEvent
from ..model.session import collection
from .processed import ProcessedEvent

BATCH = 500
PRUNE_EVERY_SECONDS = 3600.0


def redelivery_seconds(settings):
    """How long the bus keeps what guards against a redelivery
    (``forge.bus.keep_days``; 0 keeps it for ever): a reactor's own
    once-only records may be pruned after as long."""
    return float(settings.get("forge.bus.keep_days") or 0) * 86400.0


def pruning_due(registry, marker, every_seconds):
    """How old a reactor's once-only records must be to go (``redelivery_seconds``),
    when this process last pruned them (``registry.<marker>``, monotonic) at least
    ``every_seconds`` ago; None when not due, or when the bus keeps everything."""
    keep_seconds = redelivery_seconds(registry.settings)
    now = time.monotonic()
    if keep_seconds <= 0 or now < getattr(registry, marker, -1e18) + every_seconds:
        return None
    setattr(registry, marker, now)
    return keep_seconds


def prune_bus(keep_seconds, now=None, batch=BATCH, progress=None):
    """Delete sent outbox records and processed markers older than
    ``keep_seconds``; return ``(outbox_removed, markers_removed)``.

    ``progress(removed_so_far)`` is called after each batch (the CLI shows it).
    """
    cutoff = (now if now is not None else time.time()) - keep_seconds
    outbox_removed = _prune_outbox(cutoff, batch, progress)
    markers = collection(ProcessedEvent).delete_many({"at": {"$lt": cutoff}}).deleted_count
    return outbox_removed, markers


def _prune_outbox(cutoff, batch, progress):
    """Walk the sent records in ``seq`` order (index ``sent, seq``) and delete
    each leading run older than ``cutoff`` with one range delete.

    Records are created in ``seq`` order, so the first young one ends the
    walk; a range on the index is fast on MongoDB and on nx-27017 alike
    (``$in`` of ids would scan on the latter).  The newest record is kept
    whatever its age: the outbox numbers the next record after it
    (``forge.model.outbox.highest_written``)."""
    outbox = collection(OutboxEvent)
    newest = outbox.find_one({}, {"seq": 1}, sort=[("seq", -1)])
    if newest is None:
        return 0
    removed = 0
    while True:
        rows = list(outbox.find({"sent": True}, {"seq": 1, "created": 1})
                    .sort("seq", 1).limit(batch))
        old = [row for row in rows
               if (row.get("created") or 0) < cutoff and row["seq"] < newest["seq"]]
        if not old:
            return removed
        last = old[-1]["seq"]
        removed += outbox.delete_many({"sent": True, "seq": {"$lte": last}}).deleted_count
        if progress is not None:
            progress(removed)
        if len(old) < len(rows):
            return removed


class PeriodicPrune:
    """Calls ``prune_bus`` at most once per ``PRUNE_EVERY_SECONDS`` (the relay
    thread asks after each pass)."""

    def __init__(self, keep_days, every=PRUNE_EVERY_SECONDS):
        self.keep_seconds = keep_days * 86400.0
        self.every = every
        self._next = time.monotonic() + 60.0    # not in the middle of start-up

    def maybe_prune(self):
        if self.keep_seconds <= 0 or time.monotonic() < self._next:
            return None
        self._next = time.monotonic() + self.every
        return prune_bus(self.keep_seconds)
