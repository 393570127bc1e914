"""Fixtures for integration tests: real OS processes, a real database server.

* ``mongo_url``: a MongoDB wire-protocol server for the session: the one
  ``FORGE_TEST_MONGODB_URL`` names, else an embedded nx-27017 on a free port
  in a temporary directory;
* ``run_forge``: run a ``forge`` command, return the CompletedProcess
  (``forge_here``: the same in this process);
* ``forge_serve``: start ``forge serve`` processes; whatever is still running
  when the test ends (failed or not) is killed with its whole process group.
"""
import fcntl
import hashlib
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback

import pytest

from forge.embedded import EmbeddedMongo

FORGE = os.path.join(os.path.dirname(sys.executable), "forge")
READY = re.compile(r"PyForge is running at (http://\S+/)")
ADMIN_PASSWORD = re.compile(r"site admin 'admin' with the password: (\S+)")
START_TIMEOUT = 90       # generous: CI machines may be loaded
COMMAND_TIMEOUT = 120


RABBITMQ = os.environ.get("FORGE_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//")


def reactor_queues(registry):
    """The names of every queue of the registry's reactors (main, retry, dead)."""
    from forge.bus import amqp
    namespace = amqp.namespace(registry.settings)
    return [name for reactor in registry.forge_reactors
            for name in (amqp.reactor_queue_name(reactor, namespace),
                         amqp.retry_queue_name(reactor, namespace),
                         amqp.dead_queue_name(reactor, namespace))]


def remove_bus_namespace(registry):
    """Delete every queue of the registry's reactors and the exchanges of its
    ``forge.bus.namespace`` (each integration site takes a namespace of its own)."""
    from kombu import Connection
    from forge.bus import amqp
    namespace = amqp.namespace(registry.settings)
    exchanges = [amqp.events_exchange_name(namespace), amqp.retry_exchange_name(namespace),
                 amqp.dead_exchange_name(namespace)]
    with Connection(RABBITMQ) as connection:
        channel = connection.channel()
        for name in reactor_queues(registry):
            channel.queue_delete(name)
        for name in exchanges:
            channel.exchange_delete(name)


# Every test here may use the one RabbitMQ; test_bus_rabbitmq's broker_control
# stops it.  A lock file shared by every pytest process on this machine (xdist
# workers, another engineer's run) keeps the two apart: each test holds it
# shared, a test that stops the broker holds it alone.
BROKER_LOCK = os.path.join(tempfile.gettempdir(), "pyforge-tests-rabbitmq-%s.lock" % (
    hashlib.sha256(RABBITMQ.encode()).hexdigest()[:12]))
STOPS_THE_BROKER = "broker_control"       # the fixture that stops and starts it


@pytest.fixture(autouse=True)
def broker_lock(request):
    alone = STOPS_THE_BROKER in request.fixturenames
    with open(BROKER_LOCK, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX if alone else fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# argon2 at its defaults costs ~0.2 s of CPU a hash (0.45 s a hash and its check):
# the forge processes of these tests hash as cheaply as the in-process fixtures do
CHEAP_PASSWORD_HASHING = {"FORGE_PASSWORD_TIME_COST": "1", "FORGE_PASSWORD_MEMORY_KIB": "1024",
                          "FORGE_PASSWORD_PARALLELISM": "1"}


def forge_env(**extra):
    """The environment for a forge process: no settings leaking in from ours,
    cheap password hashing."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("FORGE_", "MING_"))}
    env["PYTHONUNBUFFERED"] = "1"
    env.update(CHEAP_PASSWORD_HASHING)
    env.update(extra)
    return env


@pytest.fixture(scope="session")
def mongo_url(tmp_path_factory):
    url = os.environ.get("FORGE_TEST_MONGODB_URL")
    if url:
        yield url
        return
    server = EmbeddedMongo(tmp_path_factory.mktemp("embedded-db"), free_port()).start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def run_forge():
    def run(*args, input=None, env=None):
        return subprocess.run([FORGE, *map(str, args)], input=input, capture_output=True,
                              text=True, env=env or forge_env(), timeout=COMMAND_TIMEOUT)
    return run


def forge_here(*args, input=None, env=None):
    """``forge ARGS`` run in this process (click's CliRunner) with the settings a
    process of ``run_forge`` would get from ``env``; returns a CompletedProcess
    as ``run_forge`` does, an uncaught exception's traceback on its stderr.

    The same code as the process, without its cost: a ``forge`` process spends
    ~2.8 s of CPU (imports, the app) before it does anything, one more app in
    this process ~1 s.  Tests keep a real process for each way a command ends."""
    from click.testing import CliRunner
    from forge.cli import main
    prefixes = ("FORGE_", "MING_")
    settings = {name: None for name in os.environ if name.startswith(prefixes)}
    settings.update((name, value) for name, value in (env or forge_env()).items()
                    if name.startswith(prefixes))
    result = CliRunner().invoke(main, list(map(str, args)), input=input, env=settings)
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        stderr += "".join(traceback.format_exception(*result.exc_info))
    return subprocess.CompletedProcess(["forge", *map(str, args)], result.exit_code,
                                       result.stdout, stderr)


class ForgeServer:
    """A ``forge serve`` process whose output is read as it comes."""

    def __init__(self, data_dir, port, db_port, args=(), env=None):
        self.data_dir = data_dir
        self.db_port = db_port
        command = [FORGE, "serve", "--data-dir", str(data_dir), "--port", str(port),
                   "--db-port", str(db_port), *args]
        self.process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env=env or forge_env(), start_new_session=True)
        self.lines = []
        self._queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.url = None
        self.admin_password = None

    def _read(self):
        for line in self.process.stdout:
            self._queue.put(line)
        self._queue.put(None)

    def wait_until_ready(self, timeout=START_TIMEOUT):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self._queue.get(timeout=0.2)
            except queue.Empty:
                continue
            if line is None:
                raise AssertionError("forge serve exited before it was ready:\n"
                                     + self.output())
            self.lines.append(line)
            match = ADMIN_PASSWORD.search(line)
            if match:
                self.admin_password = match.group(1)
            match = READY.search(line)
            if match:
                self.url = match.group(1)
                return self
        raise AssertionError("forge serve was not ready within %ds:\n%s" % (
            timeout, self.output()))

    def output(self):
        while True:
            try:
                line = self._queue.get_nowait()
            except queue.Empty:
                break
            if line is not None:
                self.lines.append(line)
        return "".join(self.lines)

    def stop(self, signum=signal.SIGINT, timeout=15):
        """Send ``signum``; return (exit code, seconds it took to stop)."""
        started = time.monotonic()
        self.process.send_signal(signum)
        code = self.process.wait(timeout)
        return code, time.monotonic() - started

    def kill(self):
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait()


@pytest.fixture
def forge_serve():
    """Start ``forge serve`` (ready when returned); killed at the end of the test."""
    servers = []

    def start(data_dir, port=None, db_port=None, args=(), env=None):
        server = ForgeServer(data_dir, port or free_port(), db_port or free_port(),
                             args=args, env=env)
        servers.append(server)
        return server.wait_until_ready()

    yield start
    for server in servers:
        server.kill()
