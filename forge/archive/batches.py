"""Writing an import's records: ordered batches, one commit each, off the main thread.

Why not ``insert_many`` alone: nx-27017 (the embedded server) commits every
document of an insert on its own, about 500 documents/s on this machine;
inside a transaction a batch is one SQLite commit, about three times as fast
(``bench/export.py`` measures both). A replica set or sharded MongoDB takes
the same per-batch transactions; a standalone MongoDB (which has none) and
Ming's ``mim://`` get plain ordered ``insert_many``.

Why a thread: while the server writes one batch, the importer reads,
decodes and remaps the next (two queued at most: memory stays flat).

A batch that fails is not rolled back: nx-27017 runs every client on one
SQLite connection per database, so an abort would also take back what
other clients wrote meanwhile. What a failed import wrote, that batch
included, is removed by the importer (``_Written.undo``), as before.
"""
import queue
import threading

from pymongo.database import Database
from pymongo.errors import BulkWriteError, DuplicateKeyError, PyMongoError

BATCH = 1000
QUEUED = 2
_DONE = object()


def takes_transactions(db):
    """True where one transaction per batch is possible and saves commits."""
    if not isinstance(db, Database):
        return False
    try:
        if db.client.admin.command("buildInfo").get("process") == "nx_27017":
            return True
        return db.client.topology_description.topology_type_name in (
            "ReplicaSetWithPrimary", "Sharded")
    except Exception:           # mim:// (tests) answers no buildInfo and has no topology
        return False


def insert_batch(db, collection, batch, transactions):
    """One ordered ``insert_many``; inside one transaction when ``transactions``."""
    if not transactions:
        db[collection].insert_many(batch, ordered=True)
        return
    with db.client.start_session() as session:
        session.start_transaction()
        try:
            db[collection].insert_many(batch, ordered=True, session=session)
        except BaseException:
            _keep_what_was_written(session)
            raise
        session.commit_transaction()


def _keep_what_was_written(session):
    # nx-27017: commit the documents before the failing one (the import's undo
    # deletes them); MongoDB has aborted the transaction already, so the commit
    # fails and ending the session aborts it
    try:
        session.commit_transaction()
    except PyMongoError:
        pass


def duplicate_key(error):
    """The key a write refused as a duplicate, or None for another error."""
    if isinstance(error, DuplicateKeyError):
        return (error.details or {}).get("keyValue", error)
    if isinstance(error, BulkWriteError):
        for write_error in error.details.get("writeErrors", ()):
            if write_error.get("code") == 11000:
                return write_error.get("keyValue") or write_error.get("errmsg")
    return None


class BatchWriter:
    """``writer.insert(collection, documents)`` queues a batch; ``close()``
    waits until every batch is written and raises the first failure (so does
    the next ``insert`` after one); ``abandon()`` stops without writing what
    is still queued."""

    def __init__(self, db, insert=insert_batch):
        self.db = db
        self.insert_fn = insert
        self.transactions = takes_transactions(db)
        self.queue = queue.Queue(maxsize=QUEUED)
        self.error = None
        self.stopped = False
        self.thread = threading.Thread(target=self._run, name="forge-import-writer",
                                       daemon=True)
        self.thread.start()

    def insert(self, collection, documents):
        self._raise_failure()
        if documents:
            self.queue.put((collection, documents))

    def close(self):
        self.queue.put(_DONE)
        self.thread.join()
        self._raise_failure()

    def abandon(self):
        self.stopped = True
        self.queue.put(_DONE)
        self.thread.join()

    def _raise_failure(self):
        if self.error is not None:
            raise self.error

    def _run(self):
        while True:
            item = self.queue.get()
            if item is _DONE:
                return
            if self.error is not None or self.stopped:
                continue                # drain: the main thread must never block
            collection, documents = item
            try:
                self.insert_fn(self.db, collection, documents, self.transactions)
            except BaseException as error:      # handed to the main thread
                self.error = error
