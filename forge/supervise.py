"""``forge serve`` keeps the embedded database server it started running.

When the ``nx-27017`` child exits without being asked to (killed, crashed,
out of memory), the supervisor logs it and starts it again on the same port
and files, waiting ``BACKOFF_START`` seconds the first time and twice as long
after each start that did not last ``STABLE_SECONDS`` (up to
``BACKOFF_MAX``), so a server that cannot start does not spin.  Meanwhile the
pages answer 503 (``forge.unavailable``); pymongo finds the server again by
itself once it answers.

    supervisor = DatabaseSupervisor(database).start()
    ...
    supervisor.stop()          # before database.stop()
"""
import logging
import threading
import time

from .embedded import EmbeddedMongoError

log = logging.getLogger(__name__)

BACKOFF_START = 0.5
# a local child: a start costs about a second of CPU, so retry every 10 s at most
BACKOFF_MAX = 10.0
STABLE_SECONDS = 30.0
POLL_SECONDS = 0.2


class DatabaseSupervisor:
    """Restarts an ``EmbeddedMongo`` this process started whenever it dies."""

    def __init__(self, database, backoff_start=BACKOFF_START, backoff_max=BACKOFF_MAX,
                 stable_seconds=STABLE_SECONDS):
        self.database = database
        self.backoff_start = backoff_start
        self.backoff_max = backoff_max
        self.stable_seconds = stable_seconds
        self.restarts = 0
        self._stopping = threading.Event()
        self._thread = None

    def start(self):
        # the thread that starts a child is its parent for PR_SET_PDEATHSIG
        # (forge.embedded): it lives as long as the supervision does
        self._thread = threading.Thread(target=self._run, name="database-supervisor",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout=2.0):
        """Stop supervising (the caller stops the database afterwards)."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self):
        backoff = self.backoff_start
        up_since = time.monotonic()
        while not self._stopping.is_set():
            process = self.database.process
            if process is not None and process.poll() is None:
                self._stopping.wait(POLL_SECONDS)
                continue
            if self._stopping.is_set():
                return
            if time.monotonic() - up_since >= self.stable_seconds:
                backoff = self.backoff_start
            code = process.returncode if process is not None else None
            log.warning("The embedded database server %s; starting it again in %.1f s.",
                        "exited (code %s)" % code if process is not None else "is not running",
                        backoff)
            if self._stopping.wait(backoff):
                return
            backoff = min(backoff * 2, self.backoff_max)
            try:
                self.database.restart()
            except EmbeddedMongoError as error:
                if self._stopping.is_set():
                    return
                log.error("The embedded database server did not start again: %s", error)
                continue
            self.restarts += 1
            up_since = time.monotonic()
            log.warning("The embedded database server is running again on %s "
                        "(restart %d).", self.database.url, self.restarts)
