"""Workers: one consumer per reactor, acking only after the reactor succeeded.

For each reactor a ``ReactorWorker`` consumes the reactor's own queue
(``forge.reactor.NAME``: the names start with the ``forge.bus.namespace``,
see ``forge.bus.amqp``), so a slow or failing reactor never holds up another.
It takes what the broker has sent (up to ``forge.bus.prefetch`` messages), asks
the database once which of those events the reactor already processed (only
for messages that may be a second copy: all but an event's first publication
by the relay, ``x-forge-first-copy``, delivered for the first time, first
attempt), and then, for each message in order,

1. skips the event when this reactor already processed it (``processed``);
2. calls ``reactor.fn(freeze(message), ReactorContext(...))`` (a batch
   reactor: once for a run of messages, ``forge.bus.batches``) and flushes
   what it wrote;
3. on failure logs one line, and republishes the event for a later attempt
   after ``retry_base_seconds * 2 ** (attempt - 1)`` (capped at
   ``retry_max_seconds``), or after ``max_attempts`` attempts to the reactor's
   dead-letter queue (``forge.bus.reactor_queues``) with headers ``reactor``,
   ``error``, ``attempts`` and ``failed_at``; then acks the original.

Once the batch is through (or stops early), the events whose reactor
succeeded are recorded as processed in one write (``mark_all_processed``; none
for an ``idempotent`` reactor) and only then acked, on RabbitMQ with one
``basic.ack`` (``multiple``) for the batch: the database and broker pay per
batch, not per event.  A worker that dies after a reactor's flush and before
that write runs the batch's events again on redelivery, as one dying before
the per-event write did (an ``idempotent`` reactor shrugs that off).

On RabbitMQ the delay is the message's expiration in the retry queue;
``memory://`` has no expiry, so the worker keeps the delayed message and
republishes it when due.  Counters go to ``forge.bus.stats_book``; the
threads of all reactors are ``forge.bus.worker_pool``.

Stopping (``stop``) lets the message in hand finish; messages fetched but not
acked (the rest of the batch too) go back to the queue when the connection
closes.
"""
import logging
import socket
import threading
import time

from kombu import Consumer, Producer

from ..model.session import session
from . import amqp
from .batches import split_into_batches
from .deliveries import ATTEMPT_HEADER, ReactorContext  # noqa: F401  (importable here too)
from .deliveries import attempt as _attempt, event_id as _event_id, first_copy as _first_copy
from .fetches import GATHER_SECONDS, READ_EVERY_SECONDS, BatchWindow, gather, pause  # noqa: F401
from .processed import mark_all_processed, processed_among
# the queues and the counters, importable from here too
from .reactor_queues import dead_queue, declare_reactor_queues, retry_queue  # noqa: F401
from .stats_book import ReactorStats, StatsBook, stats_book  # noqa: F401
from .registry import freeze

log = logging.getLogger(__name__)

WAIT_SECONDS = 0.1          # the first wait for a message after one came
IDLE_WAIT_SECONDS = 1.0     # an idle consumer's longest wait (how late ``stop`` may be)
MEMORY_POLL_SECONDS = 0.01  # memory://: how often a consumer looks at its queue, busy


def is_memory(settings):
    return settings["forge.bus.url"].startswith("memory://")


def bus_connection(settings):
    """``amqp.connection`` with a short poll on ``memory://`` (default: 1 s)."""
    connection = amqp.connection(settings)
    if is_memory(settings):
        connection.transport_options["polling_interval"] = MEMORY_POLL_SECONDS
    return connection


def memory_poll_seconds(wait):
    """``memory://`` has no socket to block on: kombu looks at the queue every
    ``polling_interval`` while it waits.  Busy (the first wait after a
    message) that is ``MEMORY_POLL_SECONDS``; idle, a fifth of the wait, so an
    idle consumer looks five times a second, not a hundred."""
    return MEMORY_POLL_SECONDS if wait <= WAIT_SECONDS else wait / 5


class ReactorWorker:
    """Consumes one reactor's queue (``run`` in a thread, or ``run_until_idle``)."""

    def __init__(self, registry, reactor):
        self.registry = registry
        self.reactor = reactor
        settings = registry.settings
        self.max_attempts = max(1, int(settings["forge.bus.max_attempts"]))
        self.retry_base = float(settings["forge.bus.retry_base_seconds"])
        self.retry_max = float(settings["forge.bus.retry_max_seconds"])
        self.prefetch = max(1, int(settings["forge.bus.prefetch"]))
        # a batch reactor's batch must fit in what the broker sends at once
        self.gather_seconds = GATHER_SECONDS
        if reactor.batch is not None:
            self.prefetch = max(self.prefetch, reactor.batch.max_events)
            self.gather_seconds = max(GATHER_SECONDS, reactor.batch.max_seconds)
        # how long a batch reactor waits for a batch to fill: longer as its queue gets busier
        self.batch_window = None if reactor.batch is None else BatchWindow.of(reactor, settings)
        self.memory = is_memory(settings)
        self.namespace = amqp.namespace(settings)
        self.stats = ReactorStats(reactor.name, stats_book(registry))
        self.stopping = threading.Event()
        self._delayed = []        # memory://: [(due monotonic, body, headers, message_id)]
        self._producer = None
        self._received = 0
        self._inbox = []          # [(body, message)] fetched, not yet handled

    # -- the messages of one fetch ----------------------------------------

    def on_message(self, body, message):
        """kombu's callback: keep the message for ``handle_received``."""
        self._received += 1
        self._inbox.append((body, message))

    def handle_received(self):
        """Handle the fetched messages in order, with one query for which of
        them this reactor already processed (instead of one per message); a
        batch reactor gets runs of them at once (``forge.bus.batches``)."""
        inbox, self._inbox = self._inbox, []
        if not inbox:
            return
        maybe_seen = [] if self.reactor.idempotent else [
            _event_id(body, message) for body, message in inbox if not _first_copy(message)]
        done = processed_among(self.reactor.name, maybe_seen) if maybe_seen else set()
        finished = []             # [(event id to record, or None; message)] to ack
        try:
            for index, run in enumerate(self._runs(inbox, done)):
                if index and self.stopping.is_set():
                    break         # the rest go back to the queue with the connection
                if len(run) == 1:
                    self.handle(run[0][0], run[0][1], done, finished)
                else:
                    self.handle_batch(run, done, finished)
        except BaseException:
            # the broker or the database failed: record and ack what did
            # succeed if they still answer, then let the worker reconnect
            try:
                self._settle(finished)
            except Exception:
                log.debug("could not settle the batch of reactor %s", self.reactor.name,
                          exc_info=True)
            raise
        self._settle(finished)

    def _runs(self, inbox, done):
        """The fetched messages as runs handed over together: one message a
        run, or for a batch reactor consecutive first attempts of events not
        processed yet, each event once a run, up to ``max_events``."""
        if self.reactor.batch is None:
            return [[item] for item in inbox]

        def can_join(item, run):
            body, message = item
            event_id = _event_id(body, message)
            return (_attempt(message) == 1 and event_id not in done
                    and all(_event_id(b, m) != event_id for b, m in run))
        return split_into_batches(inbox, self.reactor.batch, can_join)

    def handle_batch(self, run, done, finished):
        """A batch reactor's run of messages in one call; on failure, one at
        a time (``handle``), so that only the failing event is retried."""
        fresh = []
        for body, message in run:
            if _event_id(body, message) in done:        # processed since the split
                finished.append((None, message))
            else:
                fresh.append((body, message))
        if len(fresh) <= 1:
            for body, message in fresh:
                self.handle(body, message, done, finished)
            return
        context = ReactorContext(self.registry, self.registry.settings, 1,
                                 all(_first_copy(message) for _body, message in fresh))
        try:
            self.reactor.fn(tuple(freeze(body) for body, _message in fresh), context)
            session.flush()
        except Exception as error:
            session.close()          # nothing of the failed call is flushed
            log.info("reactor batch failed reactor=%s events=%d error=%r; "
                     "one at a time", self.reactor.name, len(fresh), error)
            for body, message in fresh:
                # not a first copy any more: the failed call may have had
                # effects outside the session (a mail sent) for this event
                self.handle(body, message, done, finished, after_failed_batch=True)
            return
        finally:
            session.close()
        for body, message in fresh:
            self._succeeded(body, message, done, finished)

    def handle(self, body, message, done, finished, after_failed_batch=False):
        """One message; ``done`` holds the ids processed already (and gets
        this one once it is, so a second copy in the same batch is skipped);
        a message handled without failing joins ``finished``.  A message whose
        batch call failed (``after_failed_batch``) is never a first copy."""
        headers = dict(message.headers or {})
        event_id = _event_id(body, message)
        attempt = _attempt(message)
        try:
            if event_id in done:
                finished.append((None, message))
                return
            context = ReactorContext(self.registry, self.registry.settings, attempt,
                                     _first_copy(message) and not after_failed_batch)
            try:
                if self.reactor.batch is None:
                    self.reactor.fn(freeze(body), context)
                else:                # a batch reactor takes a tuple, also of one
                    self.reactor.fn((freeze(body),), context)
                session.flush()
            except Exception as error:
                self._failed(body, message, headers, event_id, attempt, error)
                return
            self._succeeded(body, message, done, finished)
        finally:
            session.close()          # the next message starts with an empty unit of work

    def _succeeded(self, body, message, done, finished):
        event_id = _event_id(body, message)
        done.add(event_id)
        finished.append((None if self.reactor.idempotent else event_id, message))
        timestamp = body.get("timestamp")
        lag = time.time() - timestamp if isinstance(timestamp, (int, float)) else None
        self.stats.count("processed", lag)

    def _settle(self, finished):
        """Record the events of ``finished`` as processed (one write), then ack
        their messages: one ``basic.ack`` with ``multiple`` on RabbitMQ (every
        message before the last in the batch is either in ``finished`` or
        acked already by ``_failed``); ``memory://`` acks one by one."""
        if not finished:
            return
        recorded = [event_id for event_id, _message in finished if event_id is not None]
        if recorded:
            mark_all_processed(self.reactor.name, recorded)
        if self.memory:
            for _event, message in finished:
                message.ack()
        else:
            finished[-1][1].ack(multiple=True)

    def _failed(self, body, message, headers, event_id, attempt, error):
        name = self.reactor.name
        self.stats.count("failed")
        log.warning("reactor failed reactor=%s event_id=%s topic=%s attempt=%d/%d error=%r",
                    name, event_id, body.get("topic"), attempt, self.max_attempts, error)
        log.debug("reactor %s failed on %s", name, event_id, exc_info=True)
        session.close()
        if attempt >= self.max_attempts:
            dead_headers = dict(headers, reactor=name, error=repr(error)[:2000],
                                attempts=attempt, failed_at=time.time())
            self._producer_for(message.channel).publish(
                body, exchange=amqp.dead_exchange_name(self.namespace), routing_key=name,
                serializer="json",
                message_id=event_id, delivery_mode=2, headers=dead_headers, retry=False)
            self.stats.count("dead_lettered")
            log.warning("event dead-lettered reactor=%s event_id=%s attempts=%d",
                        name, event_id, attempt)
        else:
            delay = min(self.retry_max, self.retry_base * 2 ** (attempt - 1))
            retry_headers = dict(headers, **{ATTEMPT_HEADER: attempt + 1})
            if self.memory:
                self._delayed.append((time.monotonic() + delay, body, retry_headers, event_id))
            else:
                self._producer_for(message.channel).publish(
                    body, exchange=amqp.retry_exchange_name(self.namespace),
                    routing_key=name, serializer="json",
                    message_id=event_id, delivery_mode=2, headers=retry_headers,
                    expiration=delay, retry=False)
            self.stats.count("retried")
        message.ack()

    def _producer_for(self, channel):
        if self._producer is None or self._producer.channel is not channel:
            self._producer = Producer(channel)
        return self._producer

    def _republish_due(self, channel):
        """``memory://``: send the delayed retries whose time has come."""
        if not self._delayed:
            return
        now = time.monotonic()
        due = [item for item in self._delayed if item[0] <= now]
        if not due:
            return
        self._delayed = [item for item in self._delayed if item[0] > now]
        producer = self._producer_for(channel)
        for _due, body, headers, event_id in due:
            producer.publish(body, routing_key=amqp.reactor_queue_name(self.reactor.name,
                                                                      self.namespace),
                             serializer="json", message_id=event_id, headers=headers,
                             retry=False)

    # -- consuming --------------------------------------------------------

    def _consume(self, connection, until, max_wait=WAIT_SECONDS):
        """Consume on ``connection`` until ``until()`` is true.

        While nothing comes, each wait for the broker is twice the last, up
        to ``max_wait`` (``IDLE_WAIT_SECONDS`` for ``run``): an idle consumer
        wakes about once a second instead of ten times (on ``memory://``,
        five times instead of a hundred: ``memory_poll_seconds``), and
        ``until`` is asked that often."""
        channel = connection.channel()
        declare_reactor_queues(channel, [self.reactor], self.namespace)
        queue = amqp.reactor_queue(self.reactor.name, self.reactor.topic, self.namespace)
        self._inbox = []
        wait = WAIT_SECONDS
        with Consumer(channel, [queue], callbacks=[self.on_message], accept=["json"],
                      prefetch_count=self.prefetch):
            while not until():
                self._republish_due(channel)
                if self.memory:
                    connection.transport.polling_interval = memory_poll_seconds(wait)
                fetched_at = None
                try:
                    connection.drain_events(timeout=self._wait_for_retries(wait))
                    fetched_at = time.monotonic()
                    wait = WAIT_SECONDS
                    gather(self, connection, fetched_at + self.gather_seconds)
                except (socket.timeout, TimeoutError):
                    if not self._inbox:
                        wait = min(max_wait, wait * 2)
                fetched = len(self._inbox)
                self.handle_received()
                self.stats.flush()
                if fetched_at is not None and fetched < self.prefetch:
                    pause(self, fetched_at)
        self.stats.flush(force=True)

    def _wait_for_retries(self, wait):
        """``wait``, shortened so that a delayed retry (``memory://``) is
        republished when due."""
        if not self._delayed:
            return wait
        due = min(item[0] for item in self._delayed) - time.monotonic()
        return max(GATHER_SECONDS, min(wait, due))

    def run(self):
        """Consume until ``stop``; reconnect with back-off when the broker fails."""
        failures = 0
        while not self.stopping.is_set():
            connection = bus_connection(self.registry.settings)
            try:
                connection.ensure_connection(max_retries=0)
                failures = 0
                self._consume(connection, self.stopping.is_set, IDLE_WAIT_SECONDS)
            except Exception as error:
                failures += 1
                delay = min(30.0, 2 ** (failures - 1))
                log.warning("bus worker disconnected reactor=%s error=%r retry_in=%.0fs",
                            self.reactor.name, error, delay)
                self.stopping.wait(delay)
            finally:
                self._producer = None
                try:
                    connection.release()
                except Exception:
                    pass
        self.stats.flush(force=True)

    def run_until_idle(self, idle_seconds=0.3, max_seconds=30.0):
        """Consume until nothing arrived for ``idle_seconds`` and no retry is
        waiting (tests and ``forge admin``); return how many messages came."""
        self._received = 0
        deadline = time.monotonic() + max_seconds
        state = {"count": -1, "since": time.monotonic()}

        def idle():
            now = time.monotonic()
            if self._received != state["count"] or self._delayed:
                state["count"], state["since"] = self._received, now
            return now - state["since"] >= idle_seconds or now > deadline

        with bus_connection(self.registry.settings) as connection:
            self._consume(connection, idle)
        self._producer = None
        return self._received

    def stop(self):
        self.stopping.set()


# (importable from here too, where callers have found them; it imports this module)
from .worker_pool import (WorkerPool, start_embedded_workers,  # noqa: E402,F401
                          stop_embedded_workers)
