"""Batch delivery (forge.bus.batches) over a real RabbitMQ: the relay
publishes a unit of work's events, a batch reactor gets them in order in
fewer calls than events, recorded and acked; a failing event in a batch is
retried through the broker's retry queue and dead-lettered alone while the
others are applied once."""
import uuid

import pytest
from kombu import Connection

from forge import main
from forge.actions.users import create_user
from forge.bus import amqp
from forge.bus.batches import Batching
from forge.bus.dead_letters import list_dead_letters, queue_depths
from forge.bus.processed import already_processed
from forge.bus.registry import Reactor
from forge.bus.worker import ReactorWorker
from forge.events import ForgeEvent
from forge.model.outbox import emit
from forge.model.session import session

from .conftest import RABBITMQ, remove_bus_namespace

pytestmark = pytest.mark.integration


class Ping(ForgeEvent):
    topic = "test.batch.ping"


@pytest.fixture
def forge(mongo_url):
    """An app with a namespace and database of its own and a batch reactor
    on ``test.batch.#`` whose function the test sets (``forge.fn``)."""
    run = uuid.uuid4().hex[:8]
    database = "bus_batches_%s" % run
    app = main({}, **{
        "ming.main.uri": mongo_url, "ming.main.database": database,
        "forge.secret": "bus-batch-test", "forge.load_tool_entry_points": "false",
        "forge.bus.url": RABBITMQ, "forge.bus.relay": "off",
        "forge.bus.namespace": "forge-test-batches-%s" % run,
        "forge.bus.max_attempts": "2", "forge.bus.retry_base_seconds": "0.05",
        "forge.password.time_cost": "1", "forge.password.memory_kib": "1024",
        "forge.password.parallelism": "1"})
    registry = app.registry
    name = "batch-test-%s" % run
    registry.forge_reactors[name] = Reactor(
        name=name, topic="test.batch.#", fn=lambda events, context: registry.fn(events),
        batch=Batching(50, 0.05))
    try:
        queue_depths(registry)               # declares the queues
        registry.reactor_name = name
        registry.user = create_user(registry, "ada", "ada@example.test", "batch test pass 1")
        yield registry
    finally:
        remove_bus_namespace(registry)
        session.close()
        session.db.client.drop_database(database)


def publish_pings(registry, count):
    """``count`` events of one unit of work, published by the relay; their ids."""
    events = [Ping(registry.user, source="test") for _ in range(count)]
    emit(registry, events)
    registry.forge_relay.publish_pending()
    return [event.id for event in events]


def consume(registry):
    reactor = registry.forge_reactors[registry.reactor_name]
    return ReactorWorker(registry, reactor).run_until_idle(idle_seconds=1.0)


def queued(registry):
    """The messages left in the reactor's queue (once its consumer's connection
    closed, unacked ones are back in it): one passive declare, not another
    consumer waiting a second for nothing."""
    name = amqp.reactor_queue_name(registry.reactor_name, amqp.namespace(registry.settings))
    with Connection(RABBITMQ) as connection:
        return connection.channel().queue_declare(name, passive=True).message_count


def test_a_batch_reactor_gets_the_events_in_order_in_few_calls(forge):
    calls = []
    forge.fn = lambda events: calls.append([event["id"] for event in events])
    ids = publish_pings(forge, 40)
    assert consume(forge) == 40
    assert sum(calls, []) == ids                     # each once, in order
    assert len(calls) < 40 and max(len(call) for call in calls) > 1
    assert all(already_processed(forge.reactor_name, event_id) for event_id in ids)
    assert queued(forge) == 0                        # all acked


def test_a_failing_event_is_dead_lettered_alone_and_the_others_applied_once(forge):
    applied, failing = [], []

    def apply(events):
        ids = [event["id"] for event in events]
        if failing[0] in ids:
            raise ValueError("cannot take %s" % failing[0])
        applied.extend(ids)
    forge.fn = apply
    ids = publish_pings(forge, 12)
    failing.append(ids[5])
    consume(forge)
    assert sorted(applied) == sorted(i for i in ids if i != ids[5])
    letters = list_dead_letters(forge, forge.reactor_name)
    assert [letter.event_id for letter in letters] == [ids[5]]
