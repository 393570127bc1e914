"""The outbox: every event is stored in the database with its number.

``emit(registry, events)`` is called by the unit of work (``forge.unit_of_work``)
right *after* the flush that wrote the documents the events describe: it
writes the events' records, numbered consecutively in the global ``seq``, in
one ordered ``insert_many``, so that a unit of work costs one database command
for its events however many it emits.  Then each event is sent to the
registry's subscribers (``registry.notify``) and the relay is woken to publish
the outbox to the message bus.  A flush that fails emits nothing.

The numbers are claimed by the insert itself: the unique index on ``seq``
lets exactly one record have each number.  A process remembers the highest
number it knows written (``SequenceHint``, kept on the registry) and writes the next records after
it; when another process wrote that number first, the insert fails on the
index, the process reads the highest number written and writes the rest
after it (three commands instead of one: busy processes that take turns pay
that).  A hint older than ``HINT_SECONDS`` is read again first, so a number
is never written long after its neighbours: streams wait ``GAP_SECONDS`` (5 s)
for a missing number (``forge.views.events.Horizon``), and pruning, which
keeps the newest record, removes only records days old.  An insert that
fails for another reason gives its numbers back: the next unit of work reads
the highest number again and takes them, so it leaves no gap either (unless
another thread of the process wrote a later number meanwhile: that gap
streams wait 5 s for and then skip).  Until December 2026 the numbers came
from one ``$inc`` on ``counters`` per unit of work (two commands a unit);
its value is still read once, as the floor, when a process starts.
Every process writing the outbox must number it the same way: old and new
processes must not run at once.

A block of numbers kept by a process for later units of work would not do:
streams would wait on the numbers it had not used yet and skip the events
written under them late.

The relay publishes unsent events in ``seq`` order and marks them sent once the
broker confirmed them, so an event is never lost when the broker is down.

A process whose relay runs as a thread (``forge.bus.relay``) writes its
records already claimed by that relay (``claimed_by``, ``claimed_until``: the
claim a relay pass would otherwise write) and hands them to it, so that the
relay need neither read nor claim them (``forge.bus.outbox_passes``).
"""
import threading
import time

from ming import schema as S
from ming.odm import FieldProperty, MappedClass
from pymongo.errors import BulkWriteError, DuplicateKeyError

from .registry_objects import registry_object
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


HINT_SECONDS = 2.0          # a hint older than this is read again before it is used
MAX_TURNS = 50              # inserts tried for one unit of work before giving up


def highest_written(floor=True):
    """The highest ``seq`` in the outbox; with ``floor``, no lower than the
    legacy counter's value (numbers taken before the outbox numbered itself,
    some perhaps never written)."""
    newest = collection(OutboxEvent).find_one({}, {"seq": 1}, sort=[("seq", -1)])
    highest = newest["seq"] if newest else 0
    if floor:
        legacy = session.db["counters"].find_one({"_id": "outbox"})
        highest = max(highest, (legacy or {}).get("n", 0))
    return highest


class SequenceHint:
    """This process's guess at the next free outbox numbers: the highest it
    knows written (or handed to a thread of its own), and when it learned it."""

    def __init__(self, clock=time.monotonic):
        self.clock = clock
        self.last = None            # None: read the database before the next take
        self.known_at = 0.0
        self.floor_read = False
        self._lock = threading.Lock()

    def take(self, count):
        """The first of ``count`` numbers after the highest known (read first
        when unknown or older than ``HINT_SECONDS``)."""
        with self._lock:
            if self.last is None or self.clock() - self.known_at > HINT_SECONDS:
                self.last = highest_written(floor=not self.floor_read)
                self.floor_read = True
                self.known_at = self.clock()
            first = self.last + 1
            self.last += count
            return first

    def written(self, last):
        """Numbers up to ``last`` were just written by this process."""
        with self._lock:
            if self.last is not None and last >= self.last:
                self.known_at = self.clock()

    def forget(self):
        """Read the highest number again before the next take (another
        process wrote ours, or our insert failed: its numbers are free)."""
        with self._lock:
            self.last = None


def sequence_hint(registry):
    """The registry's ``SequenceHint`` (made at first use: one per forge,
    and a test's forge gets a new one with its emptied database)."""
    return registry_object(registry, "forge_sequence_hint", SequenceHint)


def outbox_record(event, seq, created, claim=None):
    """The stored document of ``event`` under number ``seq``, as the relay,
    the streams and the pruning read it (``OutboxEvent``'s fields); with
    ``claim`` (a relay's token, seconds) already claimed by that relay."""
    message = event.to_message()
    claimed_by, claimed_until = (claim[0], created + claim[1]) if claim else (None, 0.0)
    return {"_id": event.id, "seq": seq, "topic": event.topic, "message": message,
            "ordering_key": message["node_id"] or event.id,
            "project_id": message.get("project_id"), "created": created,
            "sent": False, "sent_at": None, "claimed_until": claimed_until,
            "claimed_by": claimed_by}


def write_for_relay(registry, events):
    """``write_records`` of ``events`` for this process's relay thread, when
    one runs (``registry.forge_relay.own``, ``forge.bus.own_records``): the
    records are written claimed by it and handed to it (no read and no claim
    for them in its next pass); otherwise unclaimed, for any relay to find."""
    own = getattr(getattr(registry, "forge_relay", None), "own", None)
    claim = own.preclaim() if own is not None else None
    records = write_records(events, sequence_hint(registry), claim)
    if claim is not None:
        own.hand(records)
    return records


def emit(registry, events):
    """Write the outbox records of one unit of work's ``events`` (numbered
    consecutively in this order), then tell subscribers and wake the relay.
    Call it after the flush of the documents they describe."""
    events = list(events)
    if not events:
        return []
    records = write_for_relay(registry, events)
    for event in events:
        registry.notify(event)
    wake = getattr(registry, "forge_bus_wake", None)
    if wake is not None:
        wake()
    return records


def write_records(events, hint, claim=None):
    """Number ``events`` after the highest number written (as ``hint``, a
    ``SequenceHint``, knows it) and insert their records (one ordered
    ``insert_many`` when no other process took those numbers first; claimed
    by ``claim``, see ``outbox_record``); return the records."""
    created = time.time()
    outbox = collection(OutboxEvent)
    pending, records = list(events), []
    for _turn in range(MAX_TURNS):
        first = hint.take(len(pending))
        batch = [outbox_record(event, first + i, created, claim)
                 for i, event in enumerate(pending)]
        try:
            outbox.insert_many(batch, ordered=True)
        except (BulkWriteError, DuplicateKeyError) as error:
            # another process wrote one of these numbers first: the records
            # before it are in (an ordered insert stops at the failure)
            hint.forget()
            inserted = _inserted(error, outbox, batch)
            records.extend(batch[:inserted])
            pending = pending[inserted:]
            if not pending:
                return records
            continue
        except BaseException:
            hint.forget()           # these numbers were not written: give them back
            raise
        hint.written(first + len(batch) - 1)
        return records + batch
    raise RuntimeError("no free outbox numbers after %d tries" % MAX_TURNS)


def _inserted(error, outbox, batch):
    """How many records of ``batch`` an ordered insert that failed wrote: the
    server says (``nInserted``); ``mim://`` raises a plain duplicate error,
    so ask which are stored."""
    if isinstance(error, BulkWriteError) and "nInserted" in error.details:
        return error.details["nInserted"]
    ids = [record["_id"] for record in batch]
    stored = {row["_id"] for row in outbox.find({"_id": {"$in": ids}}, {"_id": 1})}
    return next((i for i, record in enumerate(batch) if record["_id"] not in stored), len(batch))
