"""The event bus on the real RabbitMQ (127.0.0.1:5672) and the embedded
database, with ``forge worker`` as a separate OS process.

The test process plays the web process: it saves notes through the notes
tool's actions (outbox in the same flush) and runs a relay thread.  The
reactors come from ``tests/fixture_plugins/bus_counter.py``; their names (so
their queues) start with a prefix unique to the test, and the test deletes
its queues and database at the end.  The worker runs only the two reactors
the tests look at (``forge worker --reactors``); the forge's own reactors'
queues keep their events meanwhile, unconsumed.
"""
import os
import signal
import subprocess
import time
import uuid

import pytest
from kombu import Connection

from forge.bus import amqp
from forge.model.session import session

from .bus_parts import ROOT, BrokerLink, WorkerProcess
from .conftest import FORGE, RABBITMQ, forge_env, remove_bus_namespace

pytestmark = pytest.mark.integration

TOOLS = "tools.notes tests.fixture_plugins.bus_counter"
WAIT = 240          # generous: CI machines may be loaded
CHANGES = 1000


class BusSite:
    """A forge app in this process, with ada's project ``demo`` and its notes."""

    def __init__(self, mongo_url, tmp_path, relay_url=RABBITMQ, worker_relay="auto"):
        from forge import main
        from forge.actions.projects import create_project, install_tool
        from forge.actions.users import create_user
        from forge.model import Neighborhood
        self.prefix = "it%s" % uuid.uuid4().hex[:10]
        self.database = "forge_bus_%s" % self.prefix
        self.tmp_path = tmp_path
        self.env = forge_env(
            FORGE_MONGODB_URL=mongo_url, MING_MAIN_DATABASE=self.database,
            FORGE_BUS_URL=RABBITMQ, FORGE_TOOLS=TOOLS, FORGE_LOAD_TOOL_ENTRY_POINTS="false",
            FORGE_BUS_MAX_ATTEMPTS="3", FORGE_BUS_RETRY_BASE_SECONDS="0.2",
            FORGE_TEST_BUS_PREFIX=self.prefix, FORGE_BUS_RELAY=worker_relay,
            FORGE_BUS_NAMESPACE=self.prefix,
            PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
        os.environ["FORGE_TEST_BUS_PREFIX"] = self.prefix      # for our own app's plugin
        self.app = main({}, **{
            "ming.main.uri": mongo_url, "ming.main.database": self.database,
            "forge.secret": "bus-test", "forge.tools": TOOLS,
            "forge.load_tool_entry_points": "false", "forge.bus.url": relay_url,
            "forge.bus.relay": "thread", "forge.bus.max_attempts": "3",
            "forge.bus.retry_base_seconds": "0.2", "forge.bus.namespace": self.prefix,
            "forge.password.time_cost": "1",
            "forge.password.memory_kib": "1024", "forge.password.parallelism": "1"})
        self.registry = self.app.registry
        self.ada = create_user(self.registry, "ada", "ada@example.test", "bus test pass 1")
        self.project = create_project(self.registry, Neighborhood.query.get(name="p"), "demo",
                                      "Demo", self.ada)
        self.tool = install_tool(self.registry, self.project, "notes", "notes", self.ada)
        self.workers = []
        self.notes = 0

    @property
    def count(self):
        return self.prefix + ".count"

    @property
    def flaky(self):
        return self.prefix + ".flaky"

    def start_worker(self):
        worker = WorkerProcess(self.tmp_path / ("data-%d" % len(self.workers)), self.env,
                               reactors="%s,%s" % (self.count, self.flaky))
        self.workers.append(worker)
        return worker.wait_until_running()

    def create_notes(self, count, every=None, then=None):
        """Save ``count`` notes; call ``then()`` after each ``every`` of them."""
        from tools.notes.actions import create_note
        for i in range(count):
            self.notes += 1
            create_note(self.registry, self.project, self.tool, None, "n%d" % self.notes,
                        {"title": "Note %d" % self.notes, "text": "x", "labels": [],
                         "custom": {}, "ext": {}}, self.ada)
            if i % 25 == 24:
                session.close()      # keep the unit of work small
            if every and i % every == every - 1:
                then()
        session.close()

    def effects(self, reactor):
        return session.db["bus_test_effects"].count_documents({"reactor": reactor})

    def effects_reached(self, n, reactors=None, exactly=True):
        """Each of ``reactors`` (both test reactors) has had its effect for ``n``
        events (at least ``n``, unless ``exactly``).  For the waits: a reactor
        counts its call (one small document) before it records the effect, so
        its calls are at least its effects and are read first; the effects are
        counted only once the calls got there (a count the database server
        pays for: ~50 ms of nx-27017 CPU at 2,000 effects, which a wait polling
        it ten times a second took from the worker)."""
        reactors = reactors or (self.count, self.flaky)
        if any(self.calls(reactor) < n for reactor in reactors):
            return False
        return all(self.effects(reactor) == n if exactly else self.effects(reactor) >= n
                   for reactor in reactors)

    def dead_letters(self, reactor):
        """How many messages ``reactor``'s dead-letter queue holds."""
        return queue_depth(amqp.dead_queue_name(reactor, self.prefix))

    def queued(self, reactor):
        """How many messages wait in ``reactor``'s own queue."""
        return queue_depth(amqp.reactor_queue_name(reactor, self.prefix))

    def calls(self, reactor):
        row = session.db["bus_test_calls"].find_one({"_id": reactor})
        return row["n"] if row else 0

    def wait_for(self, what, predicate, timeout=WAIT):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            time.sleep(0.1)
        raise AssertionError("timed out waiting for %s; worker output:\n%s" % (
            what, "\n".join(w.text() for w in self.workers)))

    def forge_admin(self, *args):
        return subprocess.run([FORGE, "admin", *args, "--data-dir", str(self.tmp_path / "admin")],
                              capture_output=True, text=True, env=self.env, cwd=ROOT,
                              timeout=120)

    def close(self):
        for worker in self.workers:
            worker.kill()
        self.registry.forge_relay.stop()
        remove_bus_namespace(self.registry)     # the site's own: nobody else's
        session.close()
        session.db.client.drop_database(self.database)
        os.environ.pop("FORGE_TEST_BUS_PREFIX", None)


@pytest.fixture
def site(mongo_url, tmp_path):
    built = BusSite(mongo_url, tmp_path)
    try:
        yield built
    finally:
        built.close()


@pytest.fixture
def link():
    proxy = BrokerLink().start()
    yield proxy
    proxy.cut()


def processed(reactor):
    return session.db["bus_processed"].count_documents({"reactor": reactor})


def queue_depth(name):
    """How many messages the queue ``name`` holds: one passive declare
    (``queue_depths`` opens a connection and declares every reactor's three
    queues, too much for a wait polling ten times a second); 0 if undeclared."""
    with Connection(RABBITMQ) as connection:
        channel = connection.channel()
        try:
            return channel.queue_declare(queue=name, passive=True).message_count
        except connection.channel_errors:
            return 0


def test_a_thousand_changes_have_their_effect_exactly_once(site):
    site.start_worker()
    site.create_notes(CHANGES)
    site.wait_for("1000 effects", lambda: site.effects_reached(CHANGES))
    assert site.calls(site.count) == CHANGES            # no crash: not one call too many
    assert site.calls(site.flaky) == CHANGES
    assert processed(site.count) == CHANGES
    unsent = session.db["outbox"].count_documents({"sent": False})
    assert unsent == 0
    # a reactor this worker does not run lost nothing: its queue holds every event
    assert site.queued("forge.activity") >= session.db["outbox"].count_documents({})


def test_a_worker_killed_in_the_middle_loses_and_doubles_nothing(site):
    worker = site.start_worker()
    killed_at = []

    def kill_once_it_is_busy():
        if not killed_at and site.effects_reached(300, [site.count], exactly=False):
            worker.kill()
            killed_at.append(site.effects(site.count))
    site.create_notes(CHANGES, every=10, then=kill_once_it_is_busy)
    if not killed_at:
        site.wait_for("300 effects",
                      lambda: site.effects_reached(300, [site.count], exactly=False))
        kill_once_it_is_busy()
    assert killed_at[0] < CHANGES
    assert worker.process.returncode == -signal.SIGKILL
    site.start_worker()
    site.wait_for("1000 effects after the restart", lambda: site.effects_reached(CHANGES))
    assert processed(site.count) == processed(site.flaky) == CHANGES
    # a call repeated is possible only for the few events in hand at the kill
    assert CHANGES <= site.calls(site.count) <= CHANGES + 20


def test_a_failing_reactor_dead_letters_and_replay_succeeds_once_fixed(site):
    from forge.bus.dead_letters import queue_depths
    session.db["bus_test_flags"].insert_one({"_id": "broken"})
    site.start_worker()
    site.create_notes(5)
    site.wait_for("5 dead letters", lambda: site.dead_letters(site.flaky) == 5)
    assert queue_depths(site.registry)[site.flaky]["dead"] == 5
    assert site.effects(site.count) == 5                 # the other reactor is unaffected
    assert site.effects(site.flaky) == 0

    listed = site.forge_admin("dead-letters", "list", "--reactor", site.flaky)
    assert listed.returncode == 0, listed.stderr
    assert "5 dead letters." in listed.stdout
    assert "attempts=3" in listed.stdout and "broken on purpose" in listed.stdout
    event_id = listed.stdout.split()[0]
    shown = site.forge_admin("dead-letters", "show", event_id)
    assert shown.returncode == 0 and '"topic": "notes.note.created"' in shown.stdout

    session.db["bus_test_flags"].delete_one({"_id": "broken"})
    replayed = site.forge_admin("dead-letters", "replay", "--all")
    assert replayed.returncode == 0, replayed.stderr
    assert "Replayed 5 dead letters." in replayed.stdout
    site.wait_for("5 effects after the replay", lambda: site.effects(site.flaky) == 5)
    again = site.forge_admin("dead-letters", "replay", "--all")
    assert "Replayed 0 dead letters." in again.stdout
    assert site.calls(site.flaky) == 5 and processed(site.flaky) == 5

    status = site.forge_admin("bus-status")
    assert status.returncode == 0, status.stderr
    assert site.flaky in status.stdout and "Outbox: 0 events" in status.stdout


def test_forge_admin_sends_the_events_it_saved_itself_without_a_relay_thread(site):
    """A one-shot command runs no relay thread (forge.cli.runtime); what it
    saved goes out in one pass before it returns, with no other relay running."""
    outbox = session.db["outbox"]
    site.wait_for("the site's events sent", lambda: outbox.count_documents({"sent": False}) == 0)
    site.registry.forge_relay.stop()            # from now on only the command may relay
    projects = site.prefix + ".projects"
    queued_before = site.queued(projects)
    records_before = outbox.count_documents({"topic": {"$regex": "^project\\."}})
    done = site.forge_admin("create-project", "from-cli", "--admin", "ada")
    assert done.returncode == 0, done.stderr
    saved = outbox.count_documents({"topic": {"$regex": "^project\\."}}) - records_before
    assert saved >= 1
    assert outbox.count_documents({"sent": False}) == 0
    assert site.queued(projects) == queued_before + saved


def test_saves_succeed_while_the_broker_is_away_and_all_are_delivered_after(
        mongo_url, tmp_path, link):
    """The relay reaches RabbitMQ through ``link``; the worker (whose own relay
    is off) consumes directly, so only the outbox can bring the events over."""
    site = BusSite(mongo_url, tmp_path, relay_url=link.url, worker_relay="off")
    try:
        site.start_worker()
        site.create_notes(20)
        site.wait_for("the first 20", lambda: site.effects(site.count) == 20)
        link.cut()
        started = time.monotonic()
        site.create_notes(200)                       # every save succeeds
        assert time.monotonic() - started < 120
        outbox = session.db["outbox"]
        assert outbox.count_documents({"sent": False}) == 200
        time.sleep(1.0)                              # the broker stays away a while
        assert site.effects(site.count) == 20
        assert site.registry.forge_relay.failures >= 1
        link.start()
        site.wait_for("all 220 after the broker came back",
                      lambda: site.effects_reached(220))
        site.wait_for("an empty outbox",
                      lambda: outbox.count_documents({"sent": False}) == 0)
        assert site.calls(site.count) == 220
    finally:
        site.close()


def test_forge_serve_runs_the_reactors_in_threads_over_memory(forge_serve, run_forge, tmp_path):
    """No RabbitMQ: ``forge serve`` relays and reacts in its own process, also
    to events that ``forge admin`` saved in another process."""
    import pymongo
    env = forge_env(FORGE_TOOLS="tests.fixture_plugins.bus_counter",
                    FORGE_TEST_BUS_PREFIX="serve", PYTHONPATH=ROOT)
    server = forge_serve(tmp_path / "data", env=env)
    effects = pymongo.MongoClient("mongodb://127.0.0.1:%d/" % server.db_port)["forge"][
        "bus_test_effects"]
    outbox = effects.database["outbox"]

    def projects_done():
        return effects.count_documents({"reactor": "serve.projects"})
    deadline = time.monotonic() + WAIT
    expected = outbox.count_documents({"topic": {"$regex": "^project\\."}})
    while projects_done() < expected and time.monotonic() < deadline:
        time.sleep(0.1)
    assert expected >= 2 and projects_done() == expected       # the demo site's events
    done = run_forge("admin", "create-project", "made-by-cli", "--admin", "admin",
                     "--data-dir", tmp_path / "data", "--db-port", server.db_port, env=env)
    assert done.returncode == 0, done.stderr
    while projects_done() < expected + 1 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert projects_done() == expected + 1


def rabbitmqctl(*args):
    return subprocess.run(["rabbitmqctl", *args], capture_output=True, text=True, timeout=120)


def broker_answers():
    try:
        with Connection(RABBITMQ, connect_timeout=2) as connection:
            connection.ensure_connection(max_retries=0)
        return True
    except Exception:
        return False


@pytest.fixture
def broker_control():
    """``stop()`` and ``start()`` the real RabbitMQ application (``rabbitmqctl
    stop_app`` / ``start_app``: the node stays up, the broker really goes away
    for every client and its durable queues come back).  Needs a rabbitmqctl
    this user may run (root on CI); the broker is started again whatever happens."""
    import shutil
    if shutil.which("rabbitmqctl") is None or rabbitmqctl("status").returncode != 0:
        pytest.skip("rabbitmqctl cannot control the local broker here (not root?); "
                    "test_saves_succeed_while_the_broker_is_away_... covers it through a proxy")

    class Control:
        def stop(self):
            done = rabbitmqctl("stop_app")
            assert done.returncode == 0, done.stderr
            assert not broker_answers()

        def start(self):
            done = rabbitmqctl("start_app")
            assert done.returncode == 0, done.stderr
            deadline = time.monotonic() + 60
            while not broker_answers():
                assert time.monotonic() < deadline, "RabbitMQ did not come back"
                time.sleep(0.5)

    control = Control()
    try:
        yield control
    finally:
        if not broker_answers():
            control.start()


def test_the_broker_really_stopped_while_200_changes_are_saved(site, broker_control):
    """RabbitMQ itself stops (not a cut link): the 200 saves made meanwhile all
    succeed, and once it is started again the relay delivers them all and the
    worker, reconnected, has each effect exactly once."""
    site.start_worker()
    site.create_notes(20)
    site.wait_for("the first 20", lambda: site.effects(site.count) == 20)
    broker_control.stop()
    started = time.monotonic()
    site.create_notes(200)                           # every save succeeds
    assert time.monotonic() - started < 120
    outbox = session.db["outbox"]
    assert outbox.count_documents({"sent": False}) == 200
    assert site.effects(site.count) == 20
    broker_control.start()
    site.wait_for("all 220 after the broker came back",
                  lambda: site.effects_reached(220))
    site.wait_for("an empty outbox", lambda: outbox.count_documents({"sent": False}) == 0)
    assert site.calls(site.count) == 220
