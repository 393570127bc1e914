"""The raw ceiling for the bus benchmark: small persistent messages through
RabbitMQ with kombu, published and consumed with acks by a second connection,
with publisher confirms one at a time, pipelined by ``BATCH`` (what the relay
does) or none."""
import socket
import threading
import time
import uuid

BATCH = 200          # the pipelined publisher's batch (the relay's forge.bus.outbox_passes.BATCH)
BODY = {"id": "0" * 32, "topic": "bench.ping", "node_type": "BenchPing", "node_id": "0" * 24,
        "project_id": None, "tool_id": None, "path": None, "actor_id": None,
        "source": "bench", "timestamp": 0.0, "detail": {}}


def raw_kombu(url, count, confirms):
    """Messages per second through RabbitMQ at ``url``; ``confirms``:
    ``"each"`` (wait for each publish's confirm), ``"pipelined"`` (publish
    ``BATCH``, then wait for their confirms together) or ``"none"``."""
    from kombu import Connection, Consumer, Exchange, Producer, Queue
    from forge.bus.amqp import Confirms
    name = "bench.raw.%s" % uuid.uuid4().hex[:8]
    exchange = Exchange(name, type="topic", durable=True)
    queue = Queue(name, exchange=exchange, routing_key="bench.#", durable=True)
    received = threading.Event()
    ready = threading.Event()
    done = []

    def consume():
        with Connection(url) as connection:
            def on_message(body, message):
                message.ack()
                done.append(1)
                if len(done) == count:
                    received.set()
            with Consumer(connection.channel(), [queue], callbacks=[on_message],
                          accept=["json"], prefetch_count=100):
                ready.set()
                while not received.is_set():
                    try:
                        connection.drain_events(timeout=0.5)
                    except socket.timeout:
                        pass
    options = {"confirm_publish": confirms == "each"}
    with Connection(url, transport_options=options) as connection:
        channel = connection.channel()
        queue(channel).declare()
        consumer = threading.Thread(target=consume, daemon=True)
        consumer.start()
        ready.wait(10)
        producer = Producer(channel, exchange=exchange)
        if confirms == "pipelined":
            channel.confirm_select()
        started = time.perf_counter()
        for first in range(0, count, BATCH):
            batch = Confirms(channel) if confirms == "pipelined" else None
            for i in range(first, min(count, first + BATCH)):
                producer.publish(dict(BODY, timestamp=time.time()), routing_key="bench.ping",
                                 serializer="json", delivery_mode=2, message_id=str(i),
                                 retry=False)
                if batch is not None:
                    batch.published()
            if batch is not None:
                batch.wait(connection, 30)
        received.wait(300)
        elapsed = time.perf_counter() - started
        queue(channel).delete()
        exchange(channel).delete()
    return count / elapsed
