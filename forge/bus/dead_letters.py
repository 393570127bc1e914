"""The dead-letter queues: what ``forge admin dead-letters`` lists, shows,
replays and purges.

Each reactor has its own dead-letter queue (``forge.dead.NAME``, in the
``forge.bus.namespace``).  Reading one fetches its messages without acking
them, then puts them back; replaying sends a message to its reactor's queue as
a first attempt and acks the dead copy.  (On ``memory://`` the queues live in the process that
runs the reactors, so only that process sees them.)
"""
import contextlib
from dataclasses import dataclass

from kombu import Producer

from . import amqp
from .worker import ATTEMPT_HEADER, bus_connection, dead_queue, declare_reactor_queues

DEAD_HEADERS = ("reactor", "error", "attempts", "failed_at")


@dataclass
class DeadLetter:
    reactor: str
    event_id: str
    topic: str
    error: str
    attempts: int
    failed_at: float
    body: dict
    headers: dict


def _reactors(registry, reactor_name=None):
    reactors = getattr(registry, "forge_reactors", {})
    if reactor_name is None:
        return [reactors[name] for name in sorted(reactors)]
    if reactor_name not in reactors:
        raise LookupError("There is no reactor %r." % reactor_name)
    return [reactors[reactor_name]]


@contextlib.contextmanager
def _fetched(registry, reactor_name=None):
    """Yield [(reactor, kombu message)] of every dead letter, unacked; what the
    caller does not ack goes back to its queue when the channel closes."""
    reactors = _reactors(registry, reactor_name)
    namespace = amqp.namespace(registry.settings)
    with bus_connection(registry.settings) as connection:
        connection.ensure_connection(max_retries=0)
        channel = connection.channel()
        try:
            declare_reactor_queues(channel, reactors, namespace)
            fetched = []
            for reactor in reactors:
                queue = dead_queue(reactor.name, namespace)(channel)
                while True:
                    message = queue.get(no_ack=False, accept=["json"])
                    if message is None:
                        break
                    fetched.append((reactor, message))
            try:
                yield channel, fetched
            finally:
                for _reactor, message in fetched:
                    if not message.acknowledged:
                        message.requeue()
        finally:
            channel.close()


def _dead_letter(reactor, message):
    headers = dict(message.headers or {})
    body = message.decode()
    return DeadLetter(reactor=reactor.name,
                      event_id=message.properties.get("message_id") or body.get("id"),
                      topic=body.get("topic"), error=str(headers.get("error", "")),
                      attempts=int(headers.get("attempts") or 0),
                      failed_at=float(headers.get("failed_at") or 0.0),
                      body=body, headers=headers)


def list_dead_letters(registry, reactor_name=None):
    """Every dead letter, by reactor then arrival."""
    with _fetched(registry, reactor_name) as (_channel, fetched):
        return [_dead_letter(reactor, message) for reactor, message in fetched]


def replay(registry, event_id=None, reactor_name=None):
    """Send dead letters back to their reactors' queues (all of them, or those
    of ``event_id``) as first attempts; return how many."""
    replayed = 0
    namespace = amqp.namespace(registry.settings)
    with _fetched(registry, reactor_name) as (channel, fetched):
        producer = Producer(channel)
        for reactor, message in fetched:
            letter = _dead_letter(reactor, message)
            if event_id is not None and letter.event_id != event_id:
                continue
            headers = {k: v for k, v in letter.headers.items()
                       if k not in DEAD_HEADERS and not k.startswith("x-")}
            headers[ATTEMPT_HEADER] = 1
            producer.publish(letter.body,
                             routing_key=amqp.reactor_queue_name(reactor.name, namespace),
                             serializer="json", message_id=letter.event_id,
                             delivery_mode=2, headers=headers, retry=False)
            message.ack()
            replayed += 1
    return replayed


def purge(registry, reactor_name=None):
    """Drop every dead letter (of one reactor, or all); return how many."""
    purged = 0
    namespace = amqp.namespace(registry.settings)
    with bus_connection(registry.settings) as connection:
        connection.ensure_connection(max_retries=0)
        channel = connection.channel()
        try:
            reactors = _reactors(registry, reactor_name)
            declare_reactor_queues(channel, reactors, namespace)
            for reactor in reactors:
                purged += dead_queue(reactor.name, namespace)(channel).purge() or 0
        finally:
            channel.close()
    return purged


def queue_depths(registry):
    """reactor name -> {"ready", "retrying", "dead"} message counts."""
    depths = {}
    namespace = amqp.namespace(registry.settings)
    with bus_connection(registry.settings) as connection:
        connection.ensure_connection(max_retries=0)
        channel = connection.channel()
        try:
            reactors = _reactors(registry)
            declare_reactor_queues(channel, reactors, namespace)
            for reactor in reactors:
                depths[reactor.name] = {
                    "ready": _depth(channel, amqp.reactor_queue_name(reactor.name, namespace)),
                    "retrying": _depth(channel, amqp.retry_queue_name(reactor.name, namespace)),
                    "dead": _depth(channel, amqp.dead_queue_name(reactor.name, namespace)),
                }
        finally:
            channel.close()
    return depths


def _depth(channel, queue_name):
    return channel.queue_declare(queue=queue_name, passive=True).message_count
