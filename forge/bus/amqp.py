"""Names and declarations shared by the relay (publisher) and the workers.

One durable topic exchange carries every event (routing key = the event's
topic).  Each reactor has its own durable queue bound with the reactor's topic
pattern, so a slow or failing reactor never holds up another.  Failed events
wait in a per-reactor retry queue (message TTL, dead-lettered back to the
reactor's queue) and after the last attempt go to the reactor's dead-letter
queue, where ``forge admin dead-letters`` finds them.

Every exchange and queue name starts with the forge's namespace (setting
``forge.bus.namespace``, default ``forge``): ``NS.events``, ``NS.retry``,
``NS.dead``, ``NS.reactor.NAME``, ``NS.retry.NAME`` and ``NS.dead.NAME``.  Two
forges sharing one RabbitMQ (a staging and a production site, test runs) each
take a namespace of their own and never see each other's events; the processes
of one forge (web, workers, ``forge admin``) must all use the same one.

``Confirms`` waits for the broker's publisher confirms of a batch (the relay's).
"""
import re
import time

from kombu import Exchange, Queue

from .socket_io import BusConnection

DEFAULT_NAMESPACE = "forge"
# set by the relay on an event's first publication (forge.bus.relay): a worker
# asks whether its reactor already processed an event only for other copies
FIRST_COPY_HEADER = "x-forge-first-copy"
EVENTS_EXCHANGE = "forge.events"        # the names in the default namespace
RETRY_EXCHANGE = "forge.retry"
DEAD_EXCHANGE = "forge.dead"

_NAMESPACE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$")


def namespace(settings):
    """The ``forge.bus.namespace`` setting, checked (letters, digits, and
    ``_.:-`` after the first; at most 100 characters, so that every name stays
    within AMQP's 255)."""
    value = settings.get("forge.bus.namespace") or DEFAULT_NAMESPACE
    if not isinstance(value, str) or not _NAMESPACE.match(value):
        raise ValueError("forge.bus.namespace must be letters, digits and _.:- "
                         "(at most 100), not %r" % (value,))
    return value


def events_exchange_name(namespace=DEFAULT_NAMESPACE):
    return "%s.events" % namespace


def retry_exchange_name(namespace=DEFAULT_NAMESPACE):
    return "%s.retry" % namespace


def dead_exchange_name(namespace=DEFAULT_NAMESPACE):
    return "%s.dead" % namespace


def events_exchange(namespace=DEFAULT_NAMESPACE):
    return Exchange(events_exchange_name(namespace), type="topic", durable=True)


def reactor_queue_name(reactor_name, namespace=DEFAULT_NAMESPACE):
    return "%s.reactor.%s" % (namespace, reactor_name)


def dead_queue_name(reactor_name, namespace=DEFAULT_NAMESPACE):
    return "%s.dead.%s" % (namespace, reactor_name)


def retry_queue_name(reactor_name, namespace=DEFAULT_NAMESPACE):
    return "%s.retry.%s" % (namespace, reactor_name)


def reactor_queue(reactor_name, topic_pattern, namespace=DEFAULT_NAMESPACE):
    """The reactor's queue, bound to the events exchange with its pattern."""
    return Queue(reactor_queue_name(reactor_name, namespace),
                 exchange=events_exchange(namespace), routing_key=topic_pattern,
                 durable=True)


def connection(settings):
    """A kombu connection to ``forge.bus.url`` (``memory://`` or ``amqp://``;
    on ``amqp://`` its socket reads ahead: ``forge.bus.socket_io``)."""
    return BusConnection(settings["forge.bus.url"], connect_timeout=5,
                         transport_options={"confirm_publish": True})


class Confirms:
    """Publisher confirms of one batch on a py-amqp channel in confirm mode:
    the broker acks delivery tags 1, 2, ... (or all up to one, ``multiple``)."""

    def __init__(self, channel):
        self.channel = channel
        self.pending = set()
        self.nacked = False
        self.first = getattr(channel, "forge_next_tag", 1)
        channel.events["basic_ack"].add(self._ack)
        channel.events["basic_nack"].add(self._nack)

    def published(self):
        tag = getattr(self.channel, "forge_next_tag", 1)
        self.pending.add(tag)
        self.channel.forge_next_tag = tag + 1

    def _ack(self, delivery_tag, multiple):
        if multiple:
            self.pending = {t for t in self.pending if t > delivery_tag}
        else:
            self.pending.discard(delivery_tag)

    def _nack(self, delivery_tag, multiple):
        self.nacked = True
        self._ack(delivery_tag, multiple)

    def wait(self, connection, timeout):
        deadline = time.monotonic() + timeout
        try:
            while self.pending:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError("the broker confirmed %d messages too few"
                                       % len(self.pending))
                connection.drain_events(timeout=remaining)
            if self.nacked:
                raise RuntimeError("the broker refused (nacked) a message")
        finally:
            self.channel.events["basic_ack"].discard(self._ack)
            self.channel.events["basic_nack"].discard(self._nack)
