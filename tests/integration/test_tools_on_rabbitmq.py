"""The three tools end to end on the real RabbitMQ and the embedded database,
with ``forge worker`` as a separate OS process running every reactor.

The test process plays the web process (the tools' pages through WebTest,
its relay thread publishing to RabbitMQ); the worker runs the core's
``forge.activity`` reactor and the discussion tool's reactors.  The flows:
a wiki page created and edited, a ticket created, commented on and closed, a
forum thread started and replied to.  Each must show up in the project's
activity (written by the worker), and the discussion tool's reactors must
have given the new tool its "general" forum and counted the posts.

The reactors' queues have fixed names on the shared broker, so the test
empties them before it starts and deletes them at the end: nothing left over
by another test reaches this worker, and nothing of this test outlives it.
"""
import os
import re
import time
import uuid

import pytest
import webtest
from kombu import Connection

from forge.bus import amqp
from forge.model.session import session

from .conftest import forge_env
from .test_bus_rabbitmq import RABBITMQ, ROOT, WorkerProcess

pytestmark = pytest.mark.integration

WAIT = 180
PASSWORD = "tools on rabbit 1"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def reactor_queues(registry):
    names = []
    for reactor in registry.forge_reactors:
        names += [amqp.reactor_queue_name(reactor), amqp.retry_queue_name(reactor),
                  amqp.dead_queue_name(reactor)]
    return names


def empty_queues(names):
    with Connection(RABBITMQ) as connection:
        channel = connection.channel()
        for name in names:
            try:
                channel.queue_purge(name)
            except Exception:            # not declared yet: nothing in it
                channel = connection.channel()


def delete_queues(names):
    with Connection(RABBITMQ) as connection:
        channel = connection.channel()
        for name in names:
            try:
                channel.queue_delete(name)
            except Exception:
                channel = connection.channel()


class ToolsSite:
    def __init__(self, mongo_url, tmp_path):
        from forge import main
        self.database = "forge_tools_%s" % uuid.uuid4().hex[:10]
        self.tmp_path = tmp_path
        self.env = forge_env(FORGE_MONGODB_URL=mongo_url, MING_MAIN_DATABASE=self.database,
                             FORGE_BUS_URL=RABBITMQ,
                             PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
        self.app = main({}, **{
            "ming.main.uri": mongo_url, "ming.main.database": self.database,
            "forge.secret": "tools-test", "forge.bus.url": RABBITMQ,
            "forge.bus.relay": "thread", "forge.password.time_cost": "1",
            "forge.password.memory_kib": "1024", "forge.password.parallelism": "1"})
        self.registry = self.app.registry
        self.queues = reactor_queues(self.registry)
        empty_queues(self.queues)
        self.browser = webtest.TestApp(self.app)
        self.worker = None

    def start_worker(self):
        self.worker = WorkerProcess(self.tmp_path / "worker-data", self.env)
        return self.worker.wait_until_running()

    def csrf(self, path):
        return CSRF.search(self.browser.get(path).text).group(1)

    def post(self, path, form_path, fields, status=302, upload_files=None):
        fields = dict(fields, csrf_token=self.csrf(form_path))
        return self.browser.post(path, fields, status=status, upload_files=upload_files)

    def wait_for(self, what, predicate, timeout=WAIT):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            session.close()
            if predicate():
                return
            time.sleep(0.2)
        raise AssertionError("timed out waiting for %s; worker output:\n%s" % (
            what, self.worker.text() if self.worker else ""))

    def close(self):
        if self.worker is not None:
            self.worker.kill()
        self.registry.forge_relay.stop()
        delete_queues(self.queues)
        session.close()
        session.db.client.drop_database(self.database)


@pytest.fixture
def site(mongo_url, tmp_path):
    built = ToolsSite(mongo_url, tmp_path)
    try:
        yield built
    finally:
        built.close()


def activity_topics(project_id):
    return {doc["topic"] for doc in session.db["activity"].find({"project_id": project_id})}


def test_wiki_tracker_and_discussion_flows_reach_the_worker(site):
    from forge.actions.projects import create_project, install_tool
    from forge.actions.users import create_user
    from forge.model import Neighborhood
    registry = site.registry
    ada = create_user(registry, "ada", "ada@example.test", PASSWORD)
    project = create_project(registry, Neighborhood.query.get(name="p"), "demo", "Demo", ada)
    for tool, mount in (("wiki", "wiki"), ("tracker", "tickets"), ("discussion", "forum")):
        install_tool(registry, project, tool, mount, ada)
    session.close()
    site.start_worker()

    # the worker gives the new discussion tool its "general" forum
    site.wait_for("the general forum", lambda: session.db["artifact"].find_one(
        {"project_id": project._id, "type": "discussion.forum", "path": "general"}))

    b = site.browser
    site.post("/@@login", "/@@login", {"username": "ada", "password": PASSWORD})

    # wiki: create, then edit
    site.post("/p/demo/wiki/@@new", "/p/demo/wiki/@@new",
              {"name": "Start", "title": "Start here", "text": "First *words*."})
    edit = b.get("/p/demo/wiki/Start/@@edit")
    version = re.search(r'name="version" value="(\d+)"', edit.text).group(1)
    site.post("/p/demo/wiki/Start/@@edit", "/p/demo/wiki/Start/@@edit",
              {"title": "Start here", "text": "Second words.", "version": version,
               "comment": "reworded"})
    assert "Second words." in b.get("/p/demo/wiki/Start/").text

    # tracker: create, comment, close
    created = site.post("/p/demo/tickets/@@new", "/p/demo/tickets/@@new",
                        {"title": "Crash on save", "description": "It crashes.",
                         "labels": "bug"})
    assert created.location.rstrip("/").endswith("/tickets/1")
    site.post("/p/demo/tickets/1/@@post", "/p/demo/tickets/1/",
              {"text": "Seen it too."})
    ticket = b.get("/p/demo/tickets/1/")
    assert "Seen it too." in ticket.text
    version = re.search(r'name="version" value="(\d+)"', ticket.text).group(1)
    site.post("/p/demo/tickets/1/@@status", "/p/demo/tickets/1/",
              {"status": "closed", "version": version, "comment": "fixed"})
    assert session.db["artifact"].find_one({"project_id": project._id,
                                            "type": "tracker.ticket"})["closed"] is True

    # discussion: a thread and a reply
    started = site.post("/p/demo/forum/general/@@new", "/p/demo/forum/general/@@new",
                        {"subject": "Hello all", "text": "Glad to be here."})
    thread_path = started.location.split("://", 1)[-1].split("/", 1)[1].split("#")[0]
    site.post("/" + thread_path.rstrip("/") + "/@@post", "/" + thread_path,
              {"text": "Welcome aboard."})
    assert "Welcome aboard." in b.get("/" + thread_path).text

    wanted = {"wiki.page.created", "wiki.page.updated", "tracker.ticket.created",
              "tracker.ticket.updated",
              "tracker.post.created", "discussion.thread.created", "discussion.post.created"}
    site.wait_for("activity of every flow", lambda: wanted <= activity_topics(project._id))

    # the discussion counters reactor counted both posts of the thread
    site.wait_for("the thread's post count", lambda: (session.db["artifact"].find_one(
        {"project_id": project._id, "type": "discussion.thread"}) or {}).get("num_posts") == 2)

    # and the activity page shows them to a reader
    page = b.get("/p/demo/@@activity")
    for text in ("Start here", "Crash on save", "Hello all"):
        assert text in page.text
    assert "Traceback" not in site.worker.text()
