"""Removing a bus namespace a benchmark made on RabbitMQ: every reactor's
queue, retry queue and dead-letter queue, and the namespace's three
exchanges (the forge declares them; nothing in the forge deletes them)."""


def delete_bus_topology(amqp_url, reactor_names, namespace):
    from kombu import Connection

    from forge.bus import amqp
    with Connection(amqp_url) as connection:
        channel = connection.channel()
        for name in reactor_names:
            for queue in (amqp.reactor_queue_name(name, namespace),
                          amqp.retry_queue_name(name, namespace),
                          amqp.dead_queue_name(name, namespace)):
                channel.queue_delete(queue)
        for exchange in (amqp.events_exchange_name(namespace),
                         amqp.retry_exchange_name(namespace),
                         amqp.dead_exchange_name(namespace)):
            channel.exchange_delete(exchange)
