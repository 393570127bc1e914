"""The relay: publishes the outbox to the ``forge.events`` exchange (``NS.events``
for a ``forge.bus.namespace`` other than ``forge``), in passes that claim,
publish and mark a batch of records (``forge.bus.outbox_passes``: the order,
the claims between relays, the first copies).

Under load the relay thread starts a pass at most every ``PASS_SECONDS``
after one that published something, so that the records of many flushes
share a pass (its round trips and its wait for the confirms) instead of
each flush paying for a pass of its own; after a quiet spell a flush is
published at once.

How the relay runs in a process (setting ``forge.bus.relay``):

* ``thread``: a daemon thread, woken after each flush that wrote an event
  (``registry.forge_bus_wake``) and polling every ``forge.bus.poll_seconds`` for
  events written by other processes (while the outbox stays empty, each poll
  waits twice the last, up to ``IDLE_POLL_SECONDS``); a command that runs once
  (``forge admin``) starts none and publishes its saves in one pass when it
  ends (``forge.cli.runtime``);
* ``inline``: in the flushing thread right after the flush (``mim://`` tests,
  where the in-memory database must not be used from two threads);
* ``off``: not in this process;
* ``auto`` (the default): ``inline`` on ``mim://``; ``off`` when the bus is
  ``memory://`` (an in-process broker: only the process that runs the reactors
  may publish to it, see ``forge.bus.worker.start_embedded_workers``);
  ``thread`` otherwise.
"""
import atexit
import logging
import threading
import time

from .outbox_passes import (BATCH, CLAIM_SECONDS, FIRST_COPY_SECONDS,  # noqa: F401
                            OutboxPasses, declare_topology, outbox, relay_connection)
from .retention import PeriodicPrune

log = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 30.0
PASS_SECONDS = 0.03         # under load, at most one pass per this many seconds
IDLE_POLL_SECONDS = 8.0     # the longest poll after passes that found the outbox empty
HELD_POLL_SECONDS = 0.05    # the poll while another relay's claim holds the next record
                            # and records this relay may take wait behind it
MARK_SECONDS = 0.2          # under load, confirmed records wait at most this to be marked


class Relay(OutboxPasses):
    """Publishes a registry's outbox: ``publish_pending`` does one pass
    (``forge.bus.outbox_passes``), ``attempt`` one that backs off on failure,
    ``start`` runs them in a thread."""

    def __init__(self, registry):
        super().__init__(registry)
        self.poll_seconds = float(registry.settings["forge.bus.poll_seconds"])
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = None
        self.failures = 0                      # consecutive failed passes
        self.retry_at = 0.0                    # monotonic: no attempt before this

    # -- running ----------------------------------------------------------

    def attempt(self, defer_marks=False, read=True):
        """One pass unless backing off; log one line when it fails.  Never raises."""
        if time.monotonic() < self.retry_at:
            return 0
        try:
            published = self.publish_pending(defer_marks, read)
        except Exception as error:          # broker or database down: retry later
            self.disconnect()
            self.failures += 1
            delay = min(MAX_BACKOFF_SECONDS, 2 ** (self.failures - 1))
            self.retry_at = time.monotonic() + delay
            log.warning("bus relay failed url=%s error=%r failures=%d retry_in=%.0fs",
                        _safe_url(self.registry.settings), error, self.failures, delay)
            return 0
        if self.failures:
            log.warning("bus relay recovered after %d failures, published=%d",
                        self.failures, published)
        self.failures = 0
        self.retry_at = 0.0
        return published

    def wake(self):
        """Called after every flush that wrote an event."""
        self._wake.set()

    def start(self):
        """Run ``attempt`` in a daemon thread until ``stop``."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="forge-bus-relay",
                                            daemon=True)
            self._thread.start()
        return self

    def _run(self):
        pruning = PeriodicPrune(float(self.registry.settings["forge.bus.keep_days"]))
        poll = self.poll_seconds
        self.read_every = self.poll_seconds
        woken = False
        while not self._stop.is_set():
            self._wake.clear()
            started = time.monotonic()
            # woken by a save: what it handed over (forge.bus.own_records);
            # the poll: the outbox (records other processes wrote)
            if self.attempt(defer_marks=True, read=not woken):
                # busy: let the next flushes gather for one pass (its claim
                # carries this pass's marks); none came: mark them alone
                self._stop.wait(max(0.0, started + PASS_SECONDS - time.monotonic()))
                if not self._wake.is_set():
                    self._mark_quietly()
            if self.marks_due(MARK_SECONDS):
                self._mark_quietly()     # passes without a claim to carry them
            self._prune(pruning)
            poll = self._next_poll(poll)
            wait = poll
            if self.retry_at:
                wait = max(0.05, min(wait, self.retry_at - time.monotonic()))
            woken = self._wake.wait(wait)
        self._mark_quietly()
        self.own.stop(outbox(), keep=[r["_id"] for _token, r in self._unmarked])
        self.disconnect()

    def _mark_quietly(self):
        try:
            with self._lock:
                self.mark_confirmed()
        except Exception:          # kept for the next pass (or published again later
            log.warning("could not mark %d published records sent yet",   # by another
                        len(self._unmarked), exc_info=True)                # relay: skipped)

    def _next_poll(self, poll):
        """How long to wait for a wake before reading the outbox again: the
        poll is for records other processes wrote (this process's flushes
        wake the relay), so after each pass that found none unsent it doubles,
        up to ``IDLE_POLL_SECONDS``; while records wait (another relay holds
        them, or the broker is failing) it stays ``forge.bus.poll_seconds``,
        and ``HELD_POLL_SECONDS`` while another relay's claim holds back
        records this one may publish (its own, or unclaimed ones).  Records
        all held by other relays are theirs to publish: a worker's relay
        beside a busy web process (whose saves claim their records for its
        own relay) polled 20 times a second for nothing."""
        if self.saw_held and not self.failures:
            return min(self.poll_seconds, HELD_POLL_SECONDS)
        if self.saw_unsent or self.failures:
            return self.poll_seconds
        return min(max(self.poll_seconds, IDLE_POLL_SECONDS), poll * 2)

    @staticmethod
    def _prune(pruning):
        try:
            removed = pruning.maybe_prune()
        except Exception:
            log.exception("pruning the outbox failed; trying again in an hour")
            return
        if removed and any(removed):
            log.info("pruned %d sent outbox records and %d processed markers", *removed)

    def stop(self, timeout=5):
        self.own.claiming = False      # later saves leave their records unclaimed
        self._stop.set()
        self._wake.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    @property
    def running(self):
        return self._thread is not None and self._thread.is_alive()


def _safe_url(settings):
    """The bus URL without its password, for log lines."""
    from kombu.utils.url import maybe_sanitize_url
    return maybe_sanitize_url(settings["forge.bus.url"])


def relay_mode(settings):
    mode = settings["forge.bus.relay"]
    if mode not in ("auto", "thread", "inline", "off"):
        raise ValueError("forge.bus.relay must be auto, thread, inline or off, not %r" % mode)
    if mode != "auto":
        return mode
    if settings["ming.main.uri"].startswith("mim://"):
        return "inline"
    if settings["forge.bus.url"].startswith("memory://"):
        return "off"
    return "thread"


# Set (not from the environment) by a command that runs once and returns
# (``forge admin ...``): a relay thread would cost it more than its own work
ONE_SHOT = "forge.one_shot"

# One relay thread per process: the Ming binding is process-wide, so a newer
# app (tests build one per test) replaces the relay of the previous one.
_running = None
_running_lock = threading.Lock()


def start_thread(registry):
    """Run the registry's relay in a thread (stopping this process's previous one)."""
    global _running
    relay = registry.forge_relay
    with _running_lock:
        if _running is not None and _running is not relay:
            _running.stop(timeout=2)
        _running = relay
    registry.forge_bus_wake = relay.wake
    # this process's saves write their records claimed by it (forge.bus.own_records)
    relay.own.claiming = True
    return relay.start()


@atexit.register
def _stop_at_exit():
    """Stop between passes rather than die mid-write at interpreter exit."""
    if _running is not None:
        _running.stop(timeout=2)


def includeme(config):
    registry = config.registry
    settings = registry.settings
    mode = relay_mode(settings)
    relay = registry.forge_relay = Relay(registry)
    if mode == "inline":
        registry.forge_bus_wake = relay.attempt
    elif mode == "thread":
        if settings.get(ONE_SHOT):
            return       # its own saves go in one pass when it ends (forge.cli.runtime)

        def start(event):
            start_thread(registry)
        from pyramid.events import ApplicationCreated
        config.add_subscriber(start, ApplicationCreated)
