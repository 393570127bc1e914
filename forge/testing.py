"""Pytest fixtures for the forge and for tool authors (a ``pytest11`` plugin).

A tool's tests get a fresh in-memory forge per test::

    def test_my_tool(forge_browser, make_user, make_project):
        admin = make_user("ada")
        project = make_project("demo", admin)
        forge_browser.login("ada")
        forge_browser.get("/p/demo/")
"""
import contextlib
import os

import pytest

from .testing_xss import XSS_CORPUS, active_content, assert_inert  # noqa: F401  (the API)
from .testing_apps import reset_database  # noqa: F401  (the API)
from .testing_authors import add_member, browser_for, install_tool  # noqa: F401  (fixtures)
from .testing_counts import count_collection_calls, count_queries, count_renders  # noqa: F401
from .testing_server import served_in_thread  # noqa: F401
from .testing_browser import (CSRF, PASSWORD, ForgeBrowser, browser,  # noqa: F401  (the API)
                              signed_in_cookies)


def _let_pyramid_serve_static_files_under_pytest():
    """pytest imports the ``forge`` distribution (it ships this ``pytest11``
    plugin) through its assertion-rewriting loader, which pkg_resources does not
    know, so Pyramid's static view would answer 500 for forge.css in tests.
    Outside pytest the normal loader is used; here we tell pkg_resources that
    this loader reads plain files."""
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import pkg_resources
    from _pytest.assertion.rewrite import AssertionRewritingHook
    pkg_resources.register_loader_type(AssertionRewritingHook, pkg_resources.DefaultProvider)


_let_pyramid_serve_static_files_under_pytest()

def worker_database(name):
    """``name`` for a test database, made this pytest-xdist worker's own when
    the database is on a server (``FORGE_TEST_MONGODB_URL``), which every
    worker shares; ``mim://`` lives in the worker's process, so it is its own."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker and os.environ.get("FORGE_TEST_MONGODB_URL"):
        return "%s_%s" % (name, worker)
    return name


def free_port():
    """A TCP port on 127.0.0.1 free right now (for servers that cannot bind to 0)."""
    import socket
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def embedded_database(directory):
    """An nx-27017 server on a free port with its files in ``directory``, for the
    tests that need a real wire-protocol server (``mim://`` is not thread safe);
    yields its URL, stops it after; skips the test where it cannot start."""
    from .embedded import EmbeddedMongo, EmbeddedMongoError
    try:
        server = EmbeddedMongo(directory, free_port()).start()
    except (EmbeddedMongoError, OSError) as error:
        pytest.skip("the embedded database server is not available: %s" % error)
    try:
        yield server.url
    finally:
        server.stop()


def forge_test_settings(**overrides):
    """Settings of a test forge: ``mim://``, or the server named by
    ``FORGE_TEST_MONGODB_URL`` (the suite's over-the-wire mode)."""
    settings = {
        "ming.main.uri": os.environ.get("FORGE_TEST_MONGODB_URL") or "mim://",
        "ming.main.database": worker_database("forge_test"),
        "forge.secret": "test-secret",
        "forge.tools": "",
        "forge.login.lockout_seconds": "60",
        # a cheap argon2 cost keeps hundreds of sign-ins fast; production keeps the default
        "forge.password.time_cost": "1",
        "forge.password.memory_kib": "1024",
        "forge.password.parallelism": "1",
    }
    settings.update(overrides)
    return settings


@pytest.fixture
def forge_settings():
    return forge_test_settings()


@pytest.fixture
def forge_app(forge_settings):
    """The forge of ``forge_settings`` on an empty database, with fresh caches;
    configured once per distinct settings in a session (``forge.testing_apps``)."""
    from .testing_apps import fresh_app
    return fresh_app(forge_settings)


@pytest.fixture
def registry(forge_app):
    return forge_app.registry


@pytest.fixture
def forge_browser(forge_app):
    return ForgeBrowser(forge_app)


@pytest.fixture
def make_user(registry):
    from forge.actions.users import create_user

    def make(username, password=PASSWORD, site_admin=False, email=None):
        return create_user(registry, username, email or "%s@example.test" % username,
                           password, site_admin=site_admin)
    return make


@pytest.fixture
def make_project(registry):
    from forge.actions.projects import create_project
    from forge.model import Neighborhood, Project

    def make(shortname, admin, parent=None, private=False, title=None):
        nb = Neighborhood.query.get(name="p")
        parent_doc = None
        if parent is not None:
            parent_doc = parent if not isinstance(parent, str) else Project.query.get(
                neighborhood_id=nb._id, shortname=parent)
        return create_project(registry, nb, shortname, title or shortname.title(), admin,
                              parent=parent_doc, private=private)
    return make


@pytest.fixture
def run_reactors(registry):
    """``run_reactors()`` delivers every event saved so far to every registered
    reactor (on ``memory://``) and returns when they are all idle::

        def test_activity(forge_browser, run_reactors):
            ...change things...
            run_reactors()
            assert "created" in forge_browser.get("/p/demo/@@activity").text

    The memory broker outlives each test's app and database, so each call
    first empties the reactors' queues of other tests' events and publishes
    this test's outbox again (reactors skip what they processed already);
    then it runs each reactor whose queue has messages, until none has.
    """
    return lambda: deliver_to_reactors(registry)


def deliver_to_reactors(registry, max_rounds=20, after=0):
    """Run the registered reactors over this database's outbox records after
    ``after`` (all of them by default) until idle; return how many messages
    they took."""
    from kombu import Producer

    from forge.bus import amqp
    from forge.bus.relay import declare_topology
    from forge.bus.worker import ReactorWorker, bus_connection, is_memory
    from forge.model import OutboxEvent
    from forge.model.session import collection, session

    if not is_memory(registry.settings):
        raise RuntimeError("run_reactors needs forge.bus.url = memory://")
    reactors = sorted(registry.forge_reactors.values(), key=lambda r: r.name)
    session.flush()
    with bus_connection(registry.settings) as connection:
        channel = connection.channel()
        declare_topology(channel, reactors)
        queues = [amqp.reactor_queue(r.name, r.topic)(channel) for r in reactors]
        for queue in queues:
            queue.purge()
        producer = Producer(channel, exchange=amqp.events_exchange())
        last_seq = _publish_after(producer, collection(OutboxEvent), after)
        taken = 0
        for _round in range(max_rounds):
            busy = [(r, q) for r, q in zip(reactors, queues) if q.queue_declare(passive=True)[1]]
            if not busy:
                break
            for reactor, queue in busy:
                taken += drain_queue(ReactorWorker(registry, reactor), queue)
            # events the reactors emitted themselves
            last_seq = _publish_after(producer, collection(OutboxEvent), last_seq)
    session.close()
    return taken


def drain_queue(worker, queue, max_seconds=30):
    """Run ``worker`` until its reactor's ``queue`` is empty, nothing fetched
    waits to be handled and no retry is due later; return how many messages
    it took.

    Not ``run_until_idle``: that one stops only after a quiet spell (at least
    one 0.1 s wait per call), as it must on a broker whose messages may still
    be on their way; on memory:// every message published is in the queue
    already, so an empty queue is the end (and retries are waited for)."""
    import time

    from forge.bus.worker import bus_connection
    deadline = time.monotonic() + max_seconds

    def done():
        if time.monotonic() > deadline:
            return True
        return (not worker._delayed and not worker._inbox
                and not queue.queue_declare(passive=True)[1])

    worker._received = 0
    with bus_connection(worker.registry.settings) as connection:
        worker._consume(connection, done)
    worker._producer = None
    return worker._received


def _publish_after(producer, outbox, seq):
    """Publish the outbox records after ``seq`` (as the relay would); return the last seq."""
    for record in outbox.find({"seq": {"$gt": seq}}).sort("seq", 1):
        producer.publish(record["message"], routing_key=record["topic"], serializer="json",
                         message_id=record["_id"], headers={"seq": record["seq"]})
        seq = record["seq"]
    return seq


class SmtpSink:
    """A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it receives.

    ``messages`` are parsed ``email.message.EmailMessage`` objects (with
    ``envelope_to``); ``fail_next = n`` answers the next n messages with a 451,
    as a server in trouble would."""

    def __init__(self):
        import socket
        from aiosmtpd.controller import Controller
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.host = "127.0.0.1"
        self.messages = []
        self.fail_next = 0
        self.controller = Controller(self, hostname=self.host, port=self.port)

    async def handle_DATA(self, server, session, envelope):
        import email
        from email import policy
        if self.fail_next:
            self.fail_next -= 1
            return "451 Temporary failure, try again later"
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        message.envelope_to = list(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 OK"

    def to(self, address):
        """Messages whose envelope names ``address``."""
        return [m for m in self.messages if address in m.envelope_to]

    def clear(self):
        del self.messages[:]

    def start(self):
        self.controller.start()
        return self

    def stop(self):
        self.controller.stop()


@pytest.fixture(scope="session")
def _session_smtp_sink():
    server = SmtpSink().start()
    yield server
    server.stop()


@pytest.fixture
def smtp_server(_session_smtp_sink):
    """A real SMTP server, empty and answering for this test; point the forge
    at it with ``forge_test_settings(**smtp_settings(server))``::

        @pytest.fixture
        def forge_settings(smtp_server):
            return forge_test_settings(**smtp_settings(smtp_server))

    One server per test process, emptied before and after each test: its
    port is then the same in every test's settings, so those tests share one
    configured forge (``forge.testing_apps``) instead of configuring one each
    (a new port per test made new settings per test).  Mail is sent
    synchronously (``run_reactors``), so nothing of a test arrives after it."""
    server = _session_smtp_sink
    server.clear()
    server.fail_next = 0
    yield server
    server.clear()
    server.fail_next = 0


@pytest.fixture
def delivered_mail(smtp_server, run_reactors):
    """``delivered_mail()``: run the reactors, then {address: [messages]} of
    what reached ``smtp_server`` since the last call."""
    def delivered():
        run_reactors()
        by_address = {}
        for message in smtp_server.messages:
            for address in message.envelope_to:
                by_address.setdefault(address, []).append(message)
        smtp_server.clear()
        return by_address
    return delivered


def smtp_settings(server):
    """``forge.mail.*`` settings that send to an ``SmtpSink``."""
    return {"forge.mail.host": server.host, "forge.mail.port": str(server.port),
            "forge.mail.tls": "none", "forge.mail.from": "PyForge <forge@example.test>"}
