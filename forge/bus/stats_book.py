"""The counters of the reactors a process runs (processed, failed, retried,
dead-lettered, lag), added to ``bus_stats`` together about once a second."""
import logging
import threading
import time

from ..model.registry_objects import registry_object
from .processed import COUNTERS, add_all_stats

log = logging.getLogger(__name__)

STATS_FLUSH_SECONDS = 1.0


class StatsBook:
    """The counters of every reactor this process runs, kept in memory and
    added to ``bus_stats`` in one write about once a second, whichever
    reactor's thread finds the second over (not one write per reactor)."""

    def __init__(self):
        self.counts = {}            # reactor -> {counter: n}
        self.lag = {}               # reactor -> the latest lag seen
        self.flushed_at = time.monotonic()
        self._lock = threading.Lock()

    def count(self, reactor_name, name, lag=None):
        with self._lock:
            counts = self.counts.setdefault(reactor_name, dict.fromkeys(COUNTERS, 0))
            counts[name] += 1
            if lag is not None:
                self.lag[reactor_name] = lag

    def flush(self, force=False):
        with self._lock:
            if not force and time.monotonic() - self.flushed_at < STATS_FLUSH_SECONDS:
                return
            self.flushed_at = time.monotonic()
            taken = {name: (counts, self.lag.get(name)) for name, counts in self.counts.items()}
            self.counts, self.lag = {}, {}
        if not taken:
            return
        try:
            add_all_stats(taken)
        except Exception:
            log.warning("bus stats not written for reactors=%s", ",".join(sorted(taken)),
                        exc_info=True)
            with self._lock:        # kept for the next write
                for name, (counts, lag) in taken.items():
                    mine = self.counts.setdefault(name, dict.fromkeys(COUNTERS, 0))
                    for counter, n in counts.items():
                        mine[counter] += n
                    if lag is not None:
                        self.lag.setdefault(name, lag)


def stats_book(registry):
    """This process's ``StatsBook`` (one per registry: its reactors' threads share it)."""
    return registry_object(registry, "forge_bus_stats_book", StatsBook)


class ReactorStats:
    """One reactor's share of the process's ``StatsBook``."""

    def __init__(self, reactor_name, book):
        self.reactor_name = reactor_name
        self.book = book

    def count(self, name, lag=None):
        self.book.count(self.reactor_name, name, lag)

    def flush(self, force=False):
        self.book.flush(force)
