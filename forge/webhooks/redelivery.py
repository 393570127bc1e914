"""Putting one event back on the delivery reactor's queue (the hook page's
"Redeliver"): out of the dead-letter queue when it is there, else a new copy
of the stored event (a delivered one, or a dead letter already replayed or
purged).  The reactor then sends every delivery of the event that is pending,
and skips the delivered and the dead ones."""
from kombu import Producer

from ..bus import amqp
from ..bus.dead_letters import replay
from ..bus.worker import ATTEMPT_HEADER, bus_connection, declare_reactor_queues
from .reactor import REACTOR_NAME


class BusUnavailable(Exception):
    """The message bus did not answer."""


def requeue(registry, delivery):
    """Send ``delivery``'s event to the reactor again; True when it came out of
    the dead-letter queue."""
    try:
        if replay(registry, event_id=delivery.event_id, reactor_name=REACTOR_NAME):
            return True
        publish_again(registry, delivery.event)
        return False
    except (OSError, LookupError) as error:
        raise BusUnavailable(str(error))
    except Exception as error:       # kombu's connection errors have no common base
        if type(error).__module__.split(".")[0] in ("kombu", "amqp"):
            raise BusUnavailable(str(error))
        raise


def publish_again(registry, event):
    reactor = registry.forge_reactors[REACTOR_NAME]
    namespace = amqp.namespace(registry.settings)
    with bus_connection(registry.settings) as connection:
        connection.ensure_connection(max_retries=0)
        channel = connection.channel()
        try:
            declare_reactor_queues(channel, [reactor], namespace)
            Producer(channel).publish(
                dict(event), routing_key=amqp.reactor_queue_name(REACTOR_NAME, namespace),
                serializer="json", message_id=event["id"], delivery_mode=2,
                headers={ATTEMPT_HEADER: 1}, retry=False)
        finally:
            channel.close()
