"""Names and declarations shared by the relay (publisher) and the workers.

One durable topic exchange carries every event (routing key = the event's
topic).  Each reactor has its own durable queue bound with the reactor's topic
pattern, so a slow or failing reactor never holds up another.  Failed events
wait in a per-reactor retry queue (message TTL, dead-lettered back to the
reactor's queue) and after the last attempt go to the reactor's dead-letter
queue, where ``forge admin dead-letters`` finds them.
"""
from kombu import Connection, Exchange, Queue

EVENTS_EXCHANGE = "forge.events"
RETRY_EXCHANGE = "forge.retry"
DEAD_EXCHANGE = "forge.dead"


def events_exchange():
    return Exchange(EVENTS_EXCHANGE, type="topic", durable=True)


def reactor_queue_name(reactor_name):
    return "forge.reactor.%s" % reactor_name


def dead_queue_name(reactor_name):
    return "forge.dead.%s" % reactor_name


def retry_queue_name(reactor_name):
    return "forge.retry.%s" % reactor_name


def reactor_queue(reactor_name, topic_pattern):
    """The reactor's queue, bound to the events exchange with its pattern."""
    return Queue(reactor_queue_name(reactor_name), exchange=events_exchange(),
                 routing_key=topic_pattern, durable=True)


def connection(settings):
    """A kombu connection to ``forge.bus.url`` (``memory://`` or ``amqp://``)."""
    return Connection(settings["forge.bus.url"], connect_timeout=5,
                      transport_options={"confirm_publish": True})
