"""Search with ``forge worker`` as a separate process on the real RabbitMQ:
the worker's ``forge.search`` reactor writes the index (one directory shared
through ``forge.search.path``), and this process's ``@@search`` (playing the
web process, which never writes) finds the change after its reader reloads;
an ACL change made here is re-indexed by the worker too.

The reactors' queues have fixed names on the shared broker: emptied before,
deleted after (as in ``test_tools_on_rabbitmq``).  Another integration run
with a worker on the same broker at the same time takes some of the
``forge.search`` events (and finds nothing in its own database): run this
file on its own then.
"""
import os
import time
import uuid

import pytest
import webtest

from forge.model.session import session

from .conftest import forge_env
from .test_bus_rabbitmq import RABBITMQ, ROOT, WorkerProcess
from .test_tools_on_rabbitmq import delete_queues, empty_queues, reactor_queues

pytestmark = pytest.mark.integration

WAIT = 120


class SearchSite:
    def __init__(self, mongo_url, tmp_path):
        from forge import main
        self.database = "forge_search_%s" % uuid.uuid4().hex[:10]
        self.index_path = str(tmp_path / "search-index")
        self.tmp_path = tmp_path
        self.env = forge_env(FORGE_MONGODB_URL=mongo_url, MING_MAIN_DATABASE=self.database,
                             FORGE_BUS_URL=RABBITMQ, FORGE_SEARCH_PATH=self.index_path,
                             PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
        self.app = main({}, **{
            "ming.main.uri": mongo_url, "ming.main.database": self.database,
            "forge.secret": "search-test", "forge.bus.url": RABBITMQ,
            "forge.bus.relay": "thread", "forge.search.path": self.index_path,
            "forge.password.time_cost": "1", "forge.password.memory_kib": "1024",
            "forge.password.parallelism": "1"})
        self.registry = self.app.registry
        self.queues = reactor_queues(self.registry)
        empty_queues(self.queues)
        self.browser = webtest.TestApp(self.app)
        self.worker = None

    def wait_for(self, what, predicate):
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            session.close()
            if predicate():
                return
            time.sleep(0.2)
        raise AssertionError("timed out waiting for %s; bus stats %r; worker output:\n%s" % (
            what, list(session.db["bus_stats"].find()),
            self.worker.text() if self.worker else ""))

    def found(self, query):
        page = self.browser.get("/@@search", {"q": query})
        return page.text

    def close(self):
        if self.worker is not None:
            self.worker.kill()
        self.registry.forge_relay.stop()
        delete_queues(self.queues)
        session.close()
        session.db.client.drop_database(self.database)


@pytest.fixture
def site(mongo_url, tmp_path):
    built = SearchSite(mongo_url, tmp_path)
    try:
        yield built
    finally:
        built.close()


def test_the_worker_indexes_and_the_web_process_finds(site):
    from forge.actions.acl import set_privacy
    from forge.actions.projects import create_project, install_tool
    from forge.actions.users import create_user
    from forge.model import Neighborhood
    from forge.search.indexer import make_request
    from pyramid.traversal import find_resource
    from tools.notes.actions import create_note
    registry = site.registry
    ada = create_user(registry, "ada", "ada@example.test", "search test pass 1")
    project = create_project(registry, Neighborhood.query.get(name="p"), "demo", "Demo", ada)
    tool = install_tool(registry, project, "notes", "notes", ada)
    create_note(registry, project, tool, None, "platypus",
                {"title": "Platypus facts", "text": "The platypus lays eggs.", "labels": [],
                 "custom": {}, "ext": {}}, ada)
    session.close()
    site.worker = WorkerProcess(site.tmp_path / "worker-data", site.env).wait_until_running()

    site.wait_for("the note in the web process's search",
                  lambda: "Platypus facts" in site.found("platypus eggs"))
    assert "1 result<" in site.found("platypus")

    set_privacy(registry, find_resource(make_request(registry).root, "/p/demo/notes/"),
                True, ada)
    session.close()
    site.wait_for("the private tool's note gone for anonymous",
                  lambda: "0 results" in site.found("platypus"))
    assert "Traceback" not in site.worker.text()
