"""Two forges on one RabbitMQ: each ``forge.bus.namespace`` has exchanges and
queues of its own, so neither sees the other's events (even with a reactor of
the same name on ``#``)."""
import uuid

import pytest
from kombu import Connection

from forge import main
from forge.actions.users import create_user
from forge.bus import amqp
from forge.bus.dead_letters import queue_depths
from forge.bus.registry import Reactor
from forge.bus.worker import ReactorWorker
from forge.model.session import session

from .conftest import RABBITMQ, remove_bus_namespace

pytestmark = pytest.mark.integration



@pytest.fixture
def two_forges(mongo_url):
    """Two apps on one database and one broker, namespaces ``...-a`` and
    ``...-b``, each with a reactor named ``ns-test-...`` on ``#`` that records
    what it sees; yields ``(forges, seen)``: namespace -> registry and
    namespace -> [event]."""
    run = uuid.uuid4().hex[:8]
    database = "bus_ns_%s" % run
    reactor_name = "ns-test-%s" % run
    forges, seen = {}, {}
    for side in ("a", "b"):
        namespace = "forge-test-%s-%s" % (run, side)
        app = main({}, **{
            "ming.main.uri": mongo_url, "ming.main.database": database,
            "forge.secret": "bus-ns-test", "forge.load_tool_entry_points": "false",
            "forge.bus.url": RABBITMQ, "forge.bus.relay": "off",
            "forge.bus.namespace": namespace, "forge.password.time_cost": "1",
            "forge.password.memory_kib": "1024", "forge.password.parallelism": "1"})
        seen[namespace] = []
        app.registry.forge_reactors[reactor_name] = Reactor(
            name=reactor_name, topic="#",
            fn=lambda event, context, got=seen[namespace]: got.append(dict(event)))
        forges[namespace] = app.registry
    try:
        for registry in forges.values():
            queue_depths(registry)           # declares the exchange's queues
        yield forges, seen
    finally:
        for registry in forges.values():
            remove_bus_namespace(registry)
        session.close()
        session.db.client.drop_database(database)


def consume(registry, reactor_name):
    return ReactorWorker(registry, registry.forge_reactors[reactor_name]).run_until_idle(
        idle_seconds=0.5)


def test_two_namespaces_on_one_broker_do_not_see_each_others_events(two_forges):
    forges, seen = two_forges
    (ns_a, forge_a), (ns_b, forge_b) = forges.items()
    reactor_name = next(name for name in forge_a.forge_reactors if name.startswith("ns-test-"))
    for namespace in forges:
        with Connection(RABBITMQ) as connection:     # the names carry the namespace
            connection.channel().queue_declare(
                amqp.reactor_queue_name(reactor_name, namespace), passive=True)

    create_user(forge_a, "ada", "ada@example.test", "namespace test pass 1")
    assert forge_a.forge_relay.publish_pending() >= 1
    assert consume(forge_b, reactor_name) == 0
    assert consume(forge_a, reactor_name) >= 1
    assert [e["topic"] for e in seen[ns_a]].count("user.created") == 1
    assert seen[ns_b] == []

    before = len(seen[ns_a])
    create_user(forge_b, "bob", "bob@example.test", "namespace test pass 1")
    assert forge_b.forge_relay.publish_pending() >= 1
    assert consume(forge_a, reactor_name) == 0
    assert consume(forge_b, reactor_name) >= 1
    assert len(seen[ns_a]) == before
    assert [e["topic"] for e in seen[ns_b]].count("user.created") == 1
    assert queue_depths(forge_a)[reactor_name]["ready"] == 0
    assert queue_depths(forge_b)[reactor_name]["ready"] == 0
