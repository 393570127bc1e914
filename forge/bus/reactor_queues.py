"""A reactor's queues besides its own (``forge.bus.amqp.reactor_queue``): the
retry queue, where a failed event waits out its back-off (message TTL, then
dead-lettered back to the reactor's queue), and the dead-letter queue, where
it goes after its last attempt."""
from kombu import Exchange, Queue

from . import amqp


def retry_queue(reactor_name, namespace=amqp.DEFAULT_NAMESPACE):
    """Waits out a failed event's back-off, then returns it to the reactor's queue."""
    return Queue(amqp.retry_queue_name(reactor_name, namespace),
                 exchange=Exchange(amqp.retry_exchange_name(namespace), type="direct",
                                   durable=True),
                 routing_key=reactor_name, durable=True,
                 queue_arguments={"x-dead-letter-exchange": "",
                                  "x-dead-letter-routing-key":
                                      amqp.reactor_queue_name(reactor_name, namespace)})


def dead_queue(reactor_name, namespace=amqp.DEFAULT_NAMESPACE):
    return Queue(amqp.dead_queue_name(reactor_name, namespace),
                 exchange=Exchange(amqp.dead_exchange_name(namespace), type="direct",
                                   durable=True),
                 routing_key=reactor_name, durable=True)


def declare_reactor_queues(channel, reactors, namespace=amqp.DEFAULT_NAMESPACE):
    for reactor in reactors:
        amqp.reactor_queue(reactor.name, reactor.topic, namespace)(channel).declare()
        retry_queue(reactor.name, namespace)(channel).declare()
        dead_queue(reactor.name, namespace)(channel).declare()
