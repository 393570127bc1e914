"""How a reactor's consumer (``forge.bus.worker``) takes messages from its
socket: after the first message of a fetch, what else it gathers, and how
soon it reads again.

At a steady trickle (100 events/s) each message came alone: every reactor's
thread woke for each event, and each fetch of one paid its own write of the
processed markers and its own ack.  So, on a socket (``amqp://``):

* a batch reactor waits its batch window (``BatchWindow``, below) out after
  the first message and then takes what came in one read (it waited as long
  before, but woke for each message as it came);
* a reactor taking one event at a time reads its socket again at most every
  ``READ_EVERY_SECONDS`` while busy: what comes meanwhile waits in the socket
  and is handled as one fetch.  An event after a quiet spell is handled at
  once, and a full fetch (a backlog) goes on without a pause.

``memory://`` (no socket, polled) keeps the plain waits.

**The batch window grows with the load.**  Below about 50 events/s a fixed
wait of 20-50 ms gathered one event a batch, so a batch reactor paid its
per-call costs (a search index commit, a site request, a query) once per
event; and an event after a quiet spell waited that long for nothing.  So a
batch reactor's wait after the first message of a fetch is
``BatchWindow.seconds``: none when that fetch is all its queue had in the
last second (an idle queue delivers at once), then a tenth of its longest
wait more for each other message of the last second, up to the longest:
``forge.bus.batch_window_seconds`` (default 0.1 s), or the reactor's own
``max_seconds`` when that is longer.  At 12 events/s a batch then holds about
two, at 50 about six; what waits in the queue is always taken at once.
"""
import collections
import time

from .socket_io import read_ahead_empty

GATHER_SECONDS = 0.001      # how long to wait for more messages to join a batch
READ_EVERY_SECONDS = 0.035  # a busy consumer reads its socket at most this often
BATCH_WINDOW_SECONDS = 0.1   # forge.bus.batch_window_seconds' default
RECENT_SECONDS = 1.0         # how far back a batch window counts the messages that came
WINDOW_STEPS = 10            # messages of the last second that open the window fully


class BatchWindow:
    """How long a batch reactor waits after the first message of a fetch for
    more to join the batch: ``seconds()``, from the messages its queue
    delivered in the last ``RECENT_SECONDS`` (``note``)."""

    def __init__(self, longest):
        self.longest = max(0.0, float(longest))
        self._fetches = collections.deque()     # (monotonic time, messages)
        self._recent = 0                        # messages in _fetches

    @classmethod
    def of(cls, reactor, settings):
        """The window of ``reactor`` (a batch reactor), under ``settings``."""
        setting = settings.get("forge.bus.batch_window_seconds", BATCH_WINDOW_SECONDS)
        return cls(max(reactor.batch.max_seconds, float(setting)))

    def note(self, now, messages):
        """A fetch of ``messages`` came (and was gathered) at ``now``."""
        if messages:
            self._fetches.append((now, messages))
            self._recent += messages

    def seconds(self, now, in_hand=1):
        """The wait for the fetch that came at ``now`` with ``in_hand``
        messages: none on an idle queue, growing by a tenth of ``longest``
        for each other message of the last ``RECENT_SECONDS``."""
        while self._fetches and self._fetches[0][0] < now - RECENT_SECONDS:
            self._recent -= self._fetches.popleft()[1]
        others = self._recent + in_hand - 1
        return min(self.longest, self.longest * others / WINDOW_STEPS)


def gather(worker, connection, gathered_by):
    """What else has come after the first message of ``worker``'s fetch: what
    the socket read ahead; a batch reactor also what comes by ``gathered_by``,
    or with a ``batch_window`` during that window."""
    window = getattr(worker, "batch_window", None)
    if window is None:
        return _gather(worker, connection, gathered_by)
    started = time.monotonic()
    try:
        _gather(worker, connection, started + window.seconds(started, len(worker._inbox)))
    finally:           # (memory:// ends the gathering with a timeout)
        window.note(started, len(worker._inbox))


def _gather(worker, connection, gathered_by):
    if worker.memory or worker.reactor.batch is None:
        while len(worker._inbox) < worker.prefetch and not _all_read(worker, connection):
            connection.drain_events(timeout=max(GATHER_SECONDS, gathered_by - time.monotonic()))
        return
    _take_read_ahead(worker, connection)
    if len(worker._inbox) < worker.prefetch and not worker.stopping.wait(
            max(0.0, gathered_by - time.monotonic())):
        connection.drain_events(timeout=GATHER_SECONDS)
        _take_read_ahead(worker, connection)


def pause(worker, fetched_at):
    """After a fetch (not a full one) that came at ``fetched_at``: wait until
    ``READ_EVERY_SECONDS`` after it before reading again (a reactor taking one
    event at a time, on a socket)."""
    if worker.memory or worker.reactor.batch is not None:
        return
    worker.stopping.wait(max(0.0, fetched_at + READ_EVERY_SECONDS - time.monotonic()))


def _take_read_ahead(worker, connection):
    while len(worker._inbox) < worker.prefetch and not read_ahead_empty(connection):
        connection.drain_events(timeout=GATHER_SECONDS)


def _all_read(worker, connection):
    """Nothing more to gather without waiting: the socket's read-ahead
    (``forge.bus.socket_io``) holds no further frames, so no wait of
    ``GATHER_SECONDS`` (ended by a timeout) for more.  ``memory://`` has no
    socket."""
    return worker.reactor.batch is None and read_ahead_empty(connection)
