"""A relay's passes over the outbox (``forge.bus.relay`` runs them): what
they publish to the ``forge.events`` exchange (``NS.events`` in another
namespace), in which order, and how relays share the records.

Every action writes an ``OutboxEvent`` in its own flush (``forge.model.outbox``).
The relay publishes the unsent records in ``seq`` order (routing key = topic,
body = the message as JSON, ``message_id`` = the event id, persistent, headers
``seq`` and ``ordering_key``) and marks each one sent only after the broker
confirmed it (publisher confirms on ``amqp://``).  A broker that is down makes
the relay fail and retry with back-off; the saves themselves never wait for it,
and the backlog goes out in order when the broker is back.

Several processes may relay the same database (web processes, workers, CLI
commands).  A relay works in batches of up to ``BATCH`` records: it reads the
unsent ones up to the first that another relay holds and claims them by id (an
atomic per-document update of ``claimed_until``/``claimed_by``); when it got
all of them (the usual case) it publishes what it read, otherwise it reads
back which it got and keeps only the leading run of its own.  So records still
go out in ``seq`` order, and a record is published twice only when a relay
died between the broker's confirm and its write of ``sent`` (reactors skip
events they already processed).  The batch is published with publisher
confirms pipelined (one wait for the whole batch) and marked sent in one bulk
write: three database round trips per pass, whatever its size.  The relay
thread writes those marks with its next pass's claim (one ``bulk_write``), so
under load a pass costs two round trips; when no flush follows within
``PASS_SECONDS`` it writes them alone.  A relay that dies before that leaves
its confirmed records unsent: another publishes them again once the claim
expired, as when one dies between the confirm and the mark (workers skip
second copies).

A record that no relay had claimed before goes out with the header
``x-forge-first-copy`` (unless the pass took so long that its claim may have
passed to another relay): no copy of it can have reached a queue before, so
a worker need not ask whether its reactor already processed it.  A record
claimed before (by a relay that died, or gave up after a broker failure) may
have been published already and goes out without it.

**Its own records** (``forge.bus.own_records``): a process whose relay runs as
a thread writes its records claimed by that relay (``own.token``) and hands
them over.  A pass publishes them as they were handed, without reading or
claiming anything, when they follow the last record this relay published
without a gap (so nothing unsent can be before them: another process's
record or a failed number would be a gap) and are younger than
``FIRST_COPY_SECONDS`` (first copies, as their claim says); otherwise, and at
least every ``forge.bus.poll_seconds``, it reads the outbox as above, where
its own claims do not hold it back.  Another relay finds them claimed, as
records a pass of this relay holds.
"""
import logging
import threading
import time
import uuid

from kombu import Producer
from pymongo import ReplaceOne, UpdateMany

from ..model.outbox import OutboxEvent
from ..model.session import collection
from . import amqp
from .amqp import Confirms
from .own_records import CLAIM_SECONDS, OwnRecords
from . import processed  # noqa: F401  (its collection's indexes are ensured with the others)
from .socket_io import BusConnection

log = logging.getLogger(__name__)

BATCH = 200                 # records read per query
CONFIRM_TIMEOUT = 10.0      # seconds the broker may take to confirm a batch
FIRST_COPY_SECONDS = CLAIM_SECONDS / 3   # a claim younger than this cannot have passed on


def outbox():
    return collection(OutboxEvent)


def declare_topology(channel, reactors, namespace=amqp.DEFAULT_NAMESPACE):
    """The events exchange and every reactor's queue, so that no event is
    dropped for want of a queue even when no worker has started yet."""
    from .worker import declare_reactor_queues
    amqp.events_exchange(namespace)(channel).declare()
    declare_reactor_queues(channel, reactors, namespace)


class OutboxPasses:
    """One relay's passes over a registry's outbox (``publish_pending``)."""

    def __init__(self, registry):
        self.registry = registry
        self.namespace = amqp.namespace(registry.settings)
        self._connection = None
        self._producer = None
        self._declared = None                  # reactor names whose queues exist
        self._confirming = False               # publisher confirms (amqp://)
        self._token = None                     # this pass's claim on records
        self._claimed_at = 0.0                 # when (epoch) it was made
        self._first_copies = set()             # ids of its records never claimed before
        self._handed = set()                   # ids this pass handed to the broker
        self._lock = threading.Lock()         # one pass at a time in a process
        self.saw_unsent = False                # the last read found unsent records
        self.saw_held = False                  # ... stopped at another relay's claim
                                               # with records it may take behind it
        self._unmarked = []                    # [(token, record)] confirmed, not marked sent
        self._unmarked_since = 0.0             # monotonic: when the oldest was confirmed
        self.own = OwnRecords()                # this process's records, claimed and handed
        self._last_read = float("-inf")        # monotonic: the last read of the outbox

    # -- publishing -------------------------------------------------------

    def publish_pending(self, defer_marks=False, read=True):
        """Publish every unsent record this relay can claim, in ``seq`` order.

        Return how many were published; raise when the broker fails (the
        records not confirmed stay unsent).  With ``defer_marks`` (the relay
        thread) the confirmed records are marked sent with the next pass's
        claim, in the same command, or by the next pass that finds nothing to
        claim; otherwise before this returns.  Without ``read`` (the relay
        thread, woken by a save) it publishes what this process handed over
        and reads the outbox only when those may not go as handed, or once
        ``read_every`` seconds."""
        with self._lock:
            try:
                published, must_read = self._publish_own()
                if read or must_read or time.monotonic() - self._last_read >= self.read_every:
                    published += self._publish_read()
                return published
            finally:
                if not defer_marks:
                    self.mark_confirmed()

    read_every = 1.0           # the relay thread: forge.bus.poll_seconds

    def _publish_own(self):
        """Publish the records this process handed over when they may go as
        handed (``OwnRecords.ready``); return how many, and whether the outbox
        must be read instead (they may not)."""
        ready = self.own.ready(FIRST_COPY_SECONDS)
        if ready is None:
            return 0, True
        published = 0
        for start in range(0, len(ready), BATCH):
            records = ready[start:start + BATCH]
            self._token = self.own.token
            self._first_copies = {r["_id"] for r in records}
            self._claimed_at = min(r["created"] for r in records)
            try:
                self._publish(records)
            except Exception:
                self.own.failed(outbox(), records, self._handed)
                raise
            self._confirmed(records)
            self.own.published(records[-1]["seq"])
            published += len(records)
        return published, False

    def _publish_read(self):
        """Read the outbox, claim and publish (the passes described above)."""
        published = 0
        while True:
            claimed, more = self._claim_batch()
            if not claimed:
                return published
            try:
                self._publish(claimed)
            except Exception:
                self._release(unpublished=[r["_id"] for r in claimed
                                           if r["_id"] not in self._handed])
                raise
            self._confirmed(claimed)
            self.own.published(claimed[-1]["seq"])
            published += len(claimed)
            if not more:
                # Records flushed since the read woke the relay again;
                # an empty read to find that out would be a round trip
                # in every pass.
                return published

    def _confirmed(self, records):
        if not self._unmarked:
            self._unmarked_since = time.monotonic()
        self._unmarked.extend((self._token, r) for r in records)

    def marks_due(self, seconds):
        """Confirmed records wait to be marked sent for ``seconds`` or more,
        or a whole batch of them does."""
        return bool(self._unmarked) and (
            len(self._unmarked) >= BATCH or time.monotonic() - self._unmarked_since >= seconds)

    def mark_confirmed(self):
        """Mark the records confirmed by the broker sent (one command)."""
        if self._unmarked:
            self._mark_sent(self._unmarked)
            self._unmarked = []

    def _mark_sent(self, unmarked):
        self._write(self._marks(unmarked))

    def _claim_batch(self):
        """Claim the first unsent records up to the first one another relay
        holds; return them (whole documents) in ``seq`` order, and whether
        more may be waiting behind them."""
        now = time.time()
        self._last_read = time.monotonic()
        waiting = []
        confirmed = {record["_id"] for _token, record in self._unmarked}
        rows = [row for row in outbox().find({"sent": False}).sort("seq", 1).limit(BATCH)
                if row["_id"] not in confirmed]
        self.saw_unsent = bool(rows)
        self.saw_held = False
        mine = self.own.token

        def held(row):
            return row.get("claimed_until", 0.0) >= now and row.get("claimed_by") != mine
        for at, row in enumerate(rows):
            if held(row):
                # held by another relay: keep the order.  Worth a quick look
                # again only when records this relay may take wait behind it
                # (the holder publishes its own; a relay that holds them
                # all, as a web process's save claims its records for its
                # own relay, leaves the others nothing to do)
                self.saw_held = not all(held(later) for later in rows[at + 1:])
                break
            waiting.append(row)
        if not waiting:
            self.mark_confirmed()
            return [], False
        self._token = uuid.uuid4().hex
        self._claimed_at = now
        # never claimed before, or only by this process's save for this relay
        self._first_copies = {row["_id"] for row in waiting
                              if self.own.first_copy(row.get("claimed_by"), row["_id"])}
        until = now + CLAIM_SECONDS
        marks = self._marks(self._unmarked)
        # records of this process's saves (claimed for this relay) and the
        # others (unclaimed or expired): two writes, not one with an $or
        # (nx-27017 reads a top-level $or beside other conditions as
        # "... or ...", and took records outside the $in)
        claims = []
        for own in (True, False):
            ids = [row["_id"] for row in waiting if (row.get("claimed_by") == mine) == own]
            if ids:
                held = {"claimed_by": mine} if own else {"claimed_until": {"$lt": now}}
                claims.append(UpdateMany(dict({"_id": {"$in": ids}, "sent": False}, **held),
                                         {"$set": {"claimed_until": until,
                                                   "claimed_by": self._token}}))
        # the previous pass's marks and this claim: one command
        modified = self._write(marks + claims)
        self._unmarked = []
        if modified == len(marks) + len(waiting):
            # all of them are ours (the query named exactly these records)
            for row in waiting:
                row.update(claimed_until=until, claimed_by=self._token)
            return waiting, len(rows) == BATCH
        return self._read_back(waiting), False

    def _read_back(self, waiting):
        """After a claim that did not get every record (another relay took or
        sent some meanwhile): the leading run of those that are ours."""
        span = {"$gte": waiting[0]["seq"], "$lte": waiting[-1]["seq"]}
        claimed = []
        for record in outbox().find({"seq": span}).sort("seq", 1):
            if record.get("sent"):
                continue                # sent meanwhile by another relay
            if record.get("claimed_by") != self._token:
                break                   # another relay took it meanwhile
            claimed.append(record)
        if len(claimed) < len(waiting):
            kept = {record["_id"] for record in claimed}
            self._release(after=claimed[-1]["seq"] if claimed else None,
                          unpublished=[r["_id"] for r in waiting if r["_id"] not in kept])
        return claimed

    def _release(self, after=None, unpublished=()):
        """Give up this relay's claims (those after ``seq`` ``after``).  Those
        of ``unpublished`` (ids this pass did not hand to the broker) that no
        relay had claimed before it lose its mark too, so that their next
        publication is still a first copy."""
        query = {"claimed_by": self._token, "sent": False}
        if after is not None:
            query["seq"] = {"$gt": after}
        never = [i for i in unpublished if i in self._first_copies]
        try:
            if never:
                outbox().update_many(dict(query, _id={"$in": never}),
                                     {"$set": {"claimed_until": 0.0, "claimed_by": None}})
            outbox().update_many(query, {"$set": {"claimed_until": 0.0}})
        except Exception:          # the claims expire anyway
            log.debug("could not release claims %s", self._token, exc_info=True)

    @staticmethod
    def _marks(unmarked):
        """The writes that mark the confirmed records sent (kept until written:
        writing one twice changes nothing).

        Whole-document replaces, not $set: the embedded server stores a $set
        boolean as an integer (see forge.model.session.set_fields).  Guarded
        by the pass's claim: if it expired and another relay took a record,
        that relay marks it."""
        sent_at = time.time()
        marks = [ReplaceOne({"_id": r["_id"], "claimed_by": token},
                            dict(r, sent=True, sent_at=sent_at, claimed_until=0.0))
                 for token, r in unmarked]
        return marks

    @staticmethod
    def _write(writes):
        """``writes`` in one ``bulk_write``; return how many documents changed."""
        if not writes:
            return 0
        try:
            return outbox().bulk_write(writes, ordered=False).modified_count
        except NotImplementedError:      # mim:// has no bulk replace
            modified = 0
            for write in writes:
                if isinstance(write, ReplaceOne):
                    modified += outbox().replace_one(write._filter, write._doc).modified_count
                else:
                    modified += outbox().update_many(write._filter, write._doc).modified_count
            return modified

    def _publish(self, records):
        """Publish ``records``; return once the broker confirmed every one."""
        self._handed = set()
        producer = self._ensure_producer()
        confirms = Confirms(producer.channel) if self._confirming else None
        for record in records:
            self._handed.add(record["_id"])
            headers = {"seq": record["seq"], "ordering_key": record.get("ordering_key") or ""}
            if self._is_first_copy(record):
                headers[amqp.FIRST_COPY_HEADER] = 1
            producer.publish(
                record["message"], routing_key=record["topic"], serializer="json",
                message_id=record["_id"], delivery_mode=2, retry=False, headers=headers)
            if confirms is not None:
                confirms.published()
        if confirms is not None:
            confirms.wait(self._connection, CONFIRM_TIMEOUT)

    def _is_first_copy(self, record):
        """No copy of ``record`` can have been published before this one: no
        relay claimed it before this pass, and this pass's claim is too young
        to have expired and passed to another relay (which would publish a
        copy of its own)."""
        return (record["_id"] in self._first_copies
                and time.time() < self._claimed_at + FIRST_COPY_SECONDS)

    def _ensure_producer(self):
        reactors = dict(getattr(self.registry, "forge_reactors", {}))
        if self._producer is None:
            connection = relay_connection(self.registry.settings)
            try:
                connection.ensure_connection(max_retries=0)
                self._producer = Producer(connection.channel(),
                                          exchange=amqp.events_exchange(self.namespace))
                self._confirming = hasattr(self._producer.channel, "confirm_select")
                if self._confirming:
                    self._producer.channel.confirm_select()
            except Exception:
                _close_quietly(connection)
                raise
            self._connection = connection
            self._declared = None
        if self._declared != set(reactors):
            # (again when reactors were added: tests add them to a live app)
            declare_topology(self._producer.channel, reactors.values(), self.namespace)
            self._declared = set(reactors)
        return self._producer

    def disconnect(self):
        connection, self._connection, self._producer = self._connection, None, None
        self._confirming = False
        if connection is not None:
            _close_quietly(connection)


def relay_connection(settings):
    """Like ``amqp.connection`` but without a wait after each publish: the
    relay puts its channel in confirm mode itself and waits once per batch."""
    return BusConnection(settings["forge.bus.url"], connect_timeout=5)


def _close_quietly(connection):
    try:
        connection.release()
    except Exception:
        pass
