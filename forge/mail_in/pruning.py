"""Keeping what mail in stores from growing for ever.

Every applied message leaves an ``InboundMail`` record and its raw bytes in
GridFS (for audit and re-processing); a message held for a moderator leaves
the same until it is approved or discarded.  Both are deleted once older
than ``forge.mail_in.keep_days`` (default 90; 0 keeps them): the mail-in
server does it about once an hour (``PeriodicPrune``), and
``prune_inbound_mail`` does it on demand (``forge admin prune-mail-in``).
The comments and artifacts the messages made are the forge's data and stay.
"""
import logging
import threading
from datetime import timedelta

from ..model.session import collection, session, utcnow
from .model import InboundMail, delete_raw

log = logging.getLogger(__name__)
BATCH = 200
PRUNE_EVERY_SECONDS = 3600.0


def prune_inbound_mail(keep_days, now=None, batch=BATCH, progress=None):
    """Delete the records (and raw messages) created more than ``keep_days``
    days before ``now``; returns how many.  Oldest first, by the ``created``
    index; the raw message goes before its record, so an interrupted run
    leaves no file without the record that names it."""
    if keep_days <= 0:
        return 0
    cutoff = (now or utcnow()) - timedelta(days=keep_days)
    records = collection(InboundMail, bump=False)
    removed = 0
    while True:
        rows = list(records.find({"created": {"$lt": cutoff}}, {"raw_file_id": 1})
                    .sort("created", 1).limit(batch))
        for row in rows:
            if row.get("raw_file_id"):
                delete_raw(row["raw_file_id"])
            removed += records.delete_one({"_id": row["_id"]}).deleted_count
        if progress is not None and rows:
            progress(removed)
        if len(rows) < batch:
            return removed


class PeriodicPrune:
    """A thread that prunes every ``every`` seconds (the mail-in server's)."""

    def __init__(self, keep_days, every=PRUNE_EVERY_SECONDS, first_after=60.0):
        self.keep_days = keep_days
        self.every = every
        self.first_after = first_after
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="forge-mail-in-prune",
                                       daemon=True)

    def start(self):
        if self.keep_days > 0:
            self.thread.start()
        return self

    def _run(self):
        wait = self.first_after             # not in the middle of start-up
        while not self.stopping.wait(wait):
            wait = self.every
            try:
                session.close()
                removed = prune_inbound_mail(self.keep_days)
                if removed:
                    log.info("mail in: pruned %d received messages older than %d days",
                             removed, self.keep_days)
            except Exception:               # the next round tries again
                log.exception("mail in: pruning failed")
            finally:
                session.close()

    def stop(self):
        self.stopping.set()
        if self.thread.is_alive():
            self.thread.join(timeout=10)
