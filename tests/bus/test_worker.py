"""Workers on ``memory://``: a reactor's effect happens once per event even
when the message comes twice; a failing reactor is retried with back-off, then
dead-lettered, without holding up another reactor on the same topic; replaying
a dead letter once the reactor is fixed runs it once."""
import logging
import time
import uuid

import pytest
from kombu import Connection, Producer

from forge.bus import amqp
from forge.bus.dead_letters import list_dead_letters, purge, queue_depths, replay
from forge.bus.processed import already_processed, read_stats
from forge.bus.registry import Reactor
from forge.bus.worker import ReactorWorker, WorkerPool
from forge.model import OutboxEvent
from forge.model.session import collection
from forge.testing import forge_test_settings


@pytest.fixture
def forge_settings():
    return forge_test_settings(**{"forge.bus.max_attempts": "3",
                                  "forge.bus.retry_base_seconds": "0.01"})


@pytest.fixture
def reactors(registry):
    """``add(topic, fn)`` registers a reactor with a name unique to this test
    (the memory broker's queues outlive an app); all are removed at the end."""
    added = []

    def add(topic, fn, label="r", idempotent=False):
        name = "test-%s-%s" % (label, uuid.uuid4().hex[:8])
        registry.forge_reactors[name] = Reactor(name=name, topic=topic, fn=fn,
                                                idempotent=idempotent)
        added.append(name)
        return registry.forge_reactors[name]
    yield add
    for name in added:
        registry.forge_reactors.pop(name, None)


def project_events(make_user, make_project, count):
    """Create ``count`` projects; return the node ids of every project.created
    event in order (ada's personal project under /u/ is one too)."""
    ada = make_user("ada")
    for i in range(count):
        make_project("p%d" % i, ada)
    return [d["message"]["node_id"] for d in collection(OutboxEvent).find(
        {"topic": "project.created"}).sort("seq", 1)]


def take_first(reactor):
    """The first message of the reactor's queue, taken off it."""
    with Connection("memory://") as connection:
        queue = amqp.reactor_queue(reactor.name, reactor.topic)(connection.channel())
        return queue.get(no_ack=True, accept=["json"])


def publish_copies(reactor, message, count):
    """``count`` copies of ``message`` on the reactor's queue (as a relay that
    died before marking a record sent publishes it again)."""
    with Connection("memory://") as connection:
        for _copy in range(count):
            Producer(connection.channel()).publish(
                message.decode(), routing_key=amqp.reactor_queue_name(reactor.name),
                serializer="json", message_id=message.properties["message_id"],
                headers=message.headers)


def test_an_event_delivered_twice_has_its_effect_once(registry, reactors, make_user,
                                                      make_project):
    seen = []
    reactor = reactors("project.created", lambda event, context: seen.append(
        (event["node_id"], context.attempt)))
    project_ids = project_events(make_user, make_project, 3)
    # the relay publishes again what a crashed relay had published already
    first = take_first(reactor)
    publish_copies(reactor, first, 2)
    first_id = first.properties["message_id"]
    created = project_ids
    assert len(created) == 4
    worker = ReactorWorker(registry, reactor)
    assert worker.run_until_idle() == len(created) + 1     # one of them twice
    assert sorted(seen) == sorted((node_id, 1) for node_id in created)
    assert already_processed(reactor.name, first_id)
    assert worker.run_until_idle(idle_seconds=0.1) == 0
    assert read_stats()[reactor.name]["processed"] == len(created)


def test_an_idempotent_reactor_keeps_no_markers_and_runs_again_on_a_second_copy(
        registry, reactors, make_user, make_project):
    """``idempotent=True``: the reactor makes a second run harmless itself, so
    the worker neither asks nor records which events it processed."""
    from forge.bus.processed import ProcessedEvent
    seen = []
    reactor = reactors("project.created", lambda event, context: seen.append(event["node_id"]),
                       idempotent=True)
    project_ids = project_events(make_user, make_project, 2)
    first = take_first(reactor)
    publish_copies(reactor, first, 2)
    worker = ReactorWorker(registry, reactor)
    assert worker.run_until_idle() == len(project_ids) + 1
    assert sorted(seen) == sorted(project_ids)     # the copy in the same fetch is skipped
    publish_copies(reactor, first, 1)              # a copy in a later fetch runs again
    assert worker.run_until_idle() == 1
    assert len(seen) == len(project_ids) + 1
    assert collection(ProcessedEvent).count_documents({"reactor": reactor.name}) == 0
    assert read_stats()[reactor.name]["processed"] == len(project_ids) + 1


def test_the_forge_own_catch_all_reactors_are_idempotent(registry):
    for name in ("forge.activity", "forge.search", "forge.notify"):
        matching = [r for r in registry.forge_reactors.values() if r.name == name]
        assert matching and matching[0].idempotent, name


def test_a_reactor_gets_a_read_only_event_and_its_context(registry, reactors, make_user,
                                                          make_project):
    errors = []

    def mutate(event, context):
        assert context.registry is registry and context.settings is registry.settings
        try:
            event["topic"] = "other"
        except TypeError as error:
            errors.append(error)
    reactor = reactors("project.created", mutate)
    project_ids = project_events(make_user, make_project, 1)
    ReactorWorker(registry, reactor).run_until_idle()
    assert len(errors) == len(project_ids) == 2


def test_a_failing_reactor_is_retried_then_dead_lettered_and_others_go_on(
        registry, reactors, make_user, make_project, caplog):
    attempts, done = [], []

    def broken(event, context):
        attempts.append((event["node_id"], context.attempt, time.monotonic()))
        raise RuntimeError("mail server said no")
    failing = reactors("project.created", broken, "failing")
    healthy = reactors("project.created", lambda event, context: done.append(event["node_id"]),
                       "healthy")
    project_ids = project_events(make_user, make_project, 2)
    with caplog.at_level(logging.WARNING, logger="forge.bus.worker"):
        pool = WorkerPool(registry, [failing, healthy])
        for worker in pool.workers:
            worker.run_until_idle()
    assert done == project_ids
    assert sorted((a[0], a[1]) for a in attempts) == sorted(
        (pid, attempt) for pid in project_ids for attempt in (1, 2, 3))
    for pid in project_ids:      # back-off: 0.01 s, then 0.02 s
        times = [a[2] for a in attempts if a[0] == pid]
        assert times[1] - times[0] >= 0.01 and times[2] - times[1] >= 0.02
    lines = [r.getMessage() for r in caplog.records if "reactor failed" in r.getMessage()]
    assert len(lines) == 3 * len(project_ids) and "event_id=" in lines[0] and "mail server said no" in lines[0]

    letters = list_dead_letters(registry, failing.name)
    assert sorted(letter.body["node_id"] for letter in letters) == sorted(project_ids)
    assert letters[0].reactor == failing.name and letters[0].attempts == 3
    assert "mail server said no" in letters[0].error and letters[0].failed_at > 0
    n = len(project_ids)
    assert len(list_dead_letters(registry, failing.name)) == n     # listing keeps them
    stats = read_stats()
    assert (stats[failing.name]["failed"], stats[failing.name]["retried"],
            stats[failing.name]["dead_lettered"], stats[failing.name]["processed"]
            ) == (3 * n, 2 * n, n, 0)
    assert stats[healthy.name]["processed"] == n and stats[healthy.name]["failed"] == 0
    assert stats[healthy.name]["lag_seconds"] >= 0
    assert queue_depths(registry)[failing.name] == {"ready": 0, "retrying": 0, "dead": n}


def test_replaying_a_dead_letter_after_the_fix_runs_it_once(registry, reactors, make_user,
                                                           make_project):
    fixed, done = [False], []

    def sometimes(event, context):
        if not fixed[0]:
            raise ValueError("not yet")
        done.append((event["node_id"], context.attempt))
    reactor = reactors("project.created", sometimes)
    project_ids = project_events(make_user, make_project, 2)
    worker = ReactorWorker(registry, reactor)
    worker.run_until_idle()
    letters = list_dead_letters(registry, reactor.name)
    assert len(letters) == len(project_ids) == 3
    fixed[0] = True
    assert replay(registry, letters[0].event_id) == 1
    worker.run_until_idle()
    assert done == [(project_ids[0], 1)]
    assert [letter.event_id for letter in list_dead_letters(registry)] == [
        letter.event_id for letter in letters[1:]]
    assert replay(registry, letters[0].event_id) == 0          # nothing left for that one
    assert replay(registry) == 2
    worker.run_until_idle()
    assert sorted(done) == sorted((node_id, 1) for node_id in project_ids)
    assert list_dead_letters(registry) == []


def test_purge_drops_the_dead_letters(registry, reactors, make_user, make_project):
    def broken(event, context):
        raise ValueError("no")
    reactor = reactors("project.created", broken)
    project_ids = project_events(make_user, make_project, 3)
    ReactorWorker(registry, reactor).run_until_idle()
    assert purge(registry, reactor.name) == len(project_ids)
    assert list_dead_letters(registry, reactor.name) == []
    with pytest.raises(LookupError):
        purge(registry, "no-such-reactor")


def test_a_stopped_pool_finishes_the_message_in_hand(registry, reactors, make_user,
                                                     make_project):
    import threading
    started, release, done = threading.Event(), threading.Event(), []

    def slow(event, context):
        started.set()
        release.wait(10)
        done.append(event["node_id"])
    reactor = reactors("project.created", slow)
    project_events(make_user, make_project, 1)
    # a thread of its own on mim:// is safe here: the test thread only waits
    pool = WorkerPool(registry, [reactor]).start()
    assert started.wait(10)
    stopper = threading.Thread(target=pool.stop)
    stopper.start()
    release.set()
    stopper.join(15)
    assert not pool.alive
    assert len(done) == 1
