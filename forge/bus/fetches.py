"""How a reactor's consumer (``forge.bus.worker``) takes messages from its
socket: after the first message of a fetch, what else it gathers, and how
soon it reads again.

At a steady trickle (100 events/s) each message came alone: every reactor's
thread woke for each event, and each fetch of one paid its own write of the
processed markers and its own ack.  So, on a socket (``amqp://``):

* a batch reactor sleeps its ``max_seconds`` out after the first message and
  then takes what came in one read (it waited as long before, but woke for
  each message as it came);
* a reactor taking one event at a time reads its socket again at most every
  ``READ_EVERY_SECONDS`` while busy: what comes meanwhile waits in the socket
  and is handled as one fetch.  An event after a quiet spell is handled at
  once, and a full fetch (a backlog) goes on without a pause.

``memory://`` (no socket, polled) keeps the plain waits.
"""
import time

from .socket_io import read_ahead_empty

GATHER_SECONDS = 0.001      # how long to wait for more messages to join a batch
READ_EVERY_SECONDS = 0.035  # a busy consumer reads its socket at most this often


def gather(worker, connection, gathered_by):
    """What else has come after the first message of ``worker``'s fetch: what
    the socket read ahead; a batch reactor also what comes by ``gathered_by``."""
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
