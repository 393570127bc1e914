"""A forge app in this process with ``forge worker`` processes beside it, on the
session's database (the ``mongo_url`` fixture) and the real RabbitMQ: for the
tests of what the worker's reactors do (activity, mail, search, the tools).

The test process plays the web process (its pages through WebTest, its relay
thread publishing to RabbitMQ); the workers run the reactors.  Each site
takes a ``forge.bus.namespace`` of its own, so no other run on the broker
takes its events or gives it theirs, and deletes the namespace's queues and
exchanges when it is closed (nothing of its test outlives it).

::

    class NotesSite(WorkerSite):
        def __init__(self, mongo_url, tmp_path):
            super().__init__(mongo_url, tmp_path, "notes", {"forge.tools": "tools.notes"})

    @pytest.fixture
    def site(mongo_url, tmp_path):
        with NotesSite(mongo_url, tmp_path) as built:
            yield built
"""
import os
import time
import uuid

import webtest

from forge.model.session import session
from forge.settings import env_name

# the worker process and the broker's address are the bus tests' (not copied here)
from .conftest import RABBITMQ, forge_env, remove_bus_namespace
from .bus_parts import ROOT, WorkerProcess

WAIT = 240          # generous: CI machines may be loaded


class WorkerSite:
    """A forge app in this process (database ``forge_<name>_<random>``, cheap
    password hashing, the relay in a thread) whose workers run on the same
    database and broker.  ``settings`` go to both (to the workers as
    ``FORGE_*`` variables), ``worker_env`` to the workers only."""

    def __init__(self, mongo_url, tmp_path, name, settings=None, worker_env=None):
        from forge import main
        run = uuid.uuid4().hex[:10]
        # a bus namespace of its own: other runs on this broker (another checkout's
        # tests, a benchmark) neither take this site's events nor give it theirs
        settings = {"forge.bus.namespace": "it-%s-%s" % (name, run), **(settings or {})}
        self.database = "forge_%s_%s" % (name, run)
        self.tmp_path = tmp_path
        self.env = forge_env(FORGE_MONGODB_URL=mongo_url, MING_MAIN_DATABASE=self.database,
                             FORGE_BUS_URL=RABBITMQ,
                             PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""),
                             **{env_name(key): value for key, value in settings.items()},
                             **(worker_env or {}))
        self.app = main({}, **{
            "ming.main.uri": mongo_url, "ming.main.database": self.database,
            "forge.secret": "%s-test" % name, "forge.bus.url": RABBITMQ,
            "forge.bus.relay": "thread", "forge.password.time_cost": "1",
            "forge.password.memory_kib": "1024", "forge.password.parallelism": "1",
            **settings})
        self.registry = self.app.registry
        self.browser = webtest.TestApp(self.app)
        self.workers = []

    def create_demo_project(self, password, *tools):
        """User ada and her project ``demo`` with ``tools`` ((tool, mount)
        pairs) installed; returns (ada, project, [tool instance, ...])."""
        from forge.actions.projects import create_project, install_tool
        from forge.actions.users import create_user
        from forge.model import Neighborhood
        ada = create_user(self.registry, "ada", "ada@example.test", password)
        project = create_project(self.registry, Neighborhood.query.get(name="p"), "demo",
                                 "Demo", ada)
        installed = [install_tool(self.registry, project, tool, mount, ada)
                     for tool, mount in tools]
        return ada, project, installed

    def start_worker(self):
        """A new ``forge worker`` process, returned once it runs."""
        worker = WorkerProcess(self.tmp_path / ("worker-data-%d" % len(self.workers)),
                               self.env)
        self.workers.append(worker)
        return worker.wait_until_running()

    def wait_for(self, what, predicate, timeout=WAIT):
        """Poll ``predicate`` until it returns something true, and return that."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            session.close()              # the workers write in other processes
            found = predicate()
            if found:
                return found
            time.sleep(0.2)
        raise AssertionError("timed out waiting for %s; bus stats %r; worker output:\n%s" % (
            what, list(session.db["bus_stats"].find()),
            "\n".join(worker.text() for worker in self.workers)))

    def close(self):
        for worker in self.workers:
            worker.kill()
        self.registry.forge_relay.stop()
        remove_bus_namespace(self.registry)
        session.close()
        session.db.client.drop_database(self.database)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
