"""The records a process hands to its own relay thread (``forge.bus.outbox_passes``).

A unit of work in a process whose relay runs as a thread writes its outbox
records already claimed by that relay (``claimed_by`` = ``OwnRecords.token``,
``claimed_until`` = the write + ``CLAIM_SECONDS``) and hands them over
(``forge.model.outbox.write_for_relay``).  The relay then publishes them
without a read and without a claim of its own: at one event per save that
was two of the three database commands per event it took to relay an event
(the read and the claim), and the claim's write of each record on the
database server.

They may go as handed only when nothing unsent can be before them: they
follow, number after number, the last record this relay published (any other
record, another process's or a number given back by a failed insert, would
be a gap), and they are first copies (younger than a third of their claim,
as for a claim a pass makes).  Otherwise the relay reads the outbox, where
its own claims do not hold it back.
"""
import threading
import time
import uuid

CLAIM_SECONDS = 15.0        # a claim held longer than this is taken over (any relay's)
MAX_HANDED = 2000           # more waiting than this: the relay reads them from the outbox


class OwnRecords:
    """The records handed to one relay, and what it published of them."""

    def __init__(self):
        self.token = "own-" + uuid.uuid4().hex
        self.claiming = False             # a relay thread takes what is handed
        self.last_seq = None              # the last record published: none unsent before it
        self.not_first = set()            # ids a failed pass may have handed to the broker
        self._handed = []
        self._lock = threading.Lock()

    def preclaim(self):
        """The claim a save writes its records with, or None (no relay thread)."""
        return (self.token, CLAIM_SECONDS) if self.claiming else None

    def hand(self, records):
        """Records a save wrote with ``preclaim``'s claim (after the insert)."""
        with self._lock:
            self._handed.extend(records)
            if len(self._handed) > MAX_HANDED:
                self._handed = []         # the relay is behind: it reads them

    def ready(self, young_seconds):
        """The handed records not published yet, in ``seq`` order, when they
        may go as handed ([] when none are new); None when they may not: the
        relay reads the outbox instead (where it finds them)."""
        with self._lock:
            handed, self._handed = self._handed, []
        if not handed:
            return []
        if self.last_seq is None:
            return None                   # nothing published yet: no order known
        fresh = sorted((r for r in handed if r["seq"] > self.last_seq), key=lambda r: r["seq"])
        if not fresh:
            return []
        if [r["seq"] for r in fresh] != list(range(self.last_seq + 1,
                                                   self.last_seq + 1 + len(fresh))):
            return None                   # a gap: another process's record, or a lost number
        if time.time() >= min(r["created"] for r in fresh) + young_seconds \
                or any(r["_id"] in self.not_first for r in fresh):
            return None                   # not first copies any more: claimed afresh
        return fresh

    def published(self, seq):
        """Every record up to ``seq`` is published or sent (a pass published
        the run ending there, in order)."""
        if self.last_seq is None or seq > self.last_seq:
            self.last_seq = seq

    def first_copy(self, claimed_by, record_id):
        """A record read from the outbox can have had no copy published: no
        relay claimed it, or only this process's save did for this relay
        (which publishes them only while that claim holds)."""
        return claimed_by in (None, self.token) and record_id not in self.not_first

    def failed(self, outbox, records, handed_ids):
        """A pass of handed ``records`` failed: those it handed to the broker
        (``handed_ids``) may have reached a queue, so they are no first copies
        any more; all of them may be taken by any relay at once."""
        handed = [r["_id"] for r in records if r["_id"] in handed_ids]
        self.not_first.update(handed)
        if len(self.not_first) > 100000:
            self.not_first = set(handed)
        ids = [r["_id"] for r in records]
        try:
            if handed:
                outbox.update_many({"_id": {"$in": handed}, "sent": False},
                                   {"$set": {"claimed_by": "failed-" + uuid.uuid4().hex,
                                             "claimed_until": 0.0}})
            outbox.update_many({"_id": {"$in": ids}, "claimed_by": self.token, "sent": False},
                               {"$set": {"claimed_until": 0.0}})
        except Exception:           # the claims expire anyway
            pass

    def stop(self, outbox, keep=()):
        """The relay stops: later saves write unclaimed records, and those it
        did not publish (but ``keep``) may be taken by any relay at once."""
        self.claiming = False
        with self._lock:
            self._handed = []
        try:
            outbox.update_many({"claimed_by": self.token, "sent": False,
                                "_id": {"$nin": list(keep)}},
                               {"$set": {"claimed_until": 0.0}})
        except Exception:           # the claims expire anyway
            pass
