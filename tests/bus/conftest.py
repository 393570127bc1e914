"""Fixtures of the bus tests."""
import uuid

import pytest
from kombu import Connection

from forge.bus import amqp
from forge.bus.registry import Reactor

CLOSED_PORT_URL = "amqp://guest:guest@127.0.0.1:1//"    # a broker that is down


@pytest.fixture
def listen(registry):
    """Add a reactor on ``#`` (its queue gets every event published from now
    on) and return a function that takes the messages queued for it."""
    name = "test-listen-%s" % uuid.uuid4().hex[:8]
    registry.forge_reactors[name] = Reactor(name=name, topic="#", fn=lambda e, c: None)

    def received():
        messages = []
        with Connection("memory://") as connection:
            queue = amqp.reactor_queue(name, "#")(connection.channel())
            while True:
                message = queue.get(no_ack=True, accept=["json"])
                if message is None:
                    return messages
                messages.append(message)
    yield received
    del registry.forge_reactors[name]
