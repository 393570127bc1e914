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
empties them before it starts and deletes them at the end
(``tests/integration/sites.py``): nothing left over by another test reaches
this worker, and nothing of this test outlives it.
"""
import re

import pytest

from forge.model.session import session

from .sites import WorkerSite

pytestmark = pytest.mark.integration

PASSWORD = "tools on rabbit 1"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class ToolsSite(WorkerSite):
    def csrf(self, path):
        return CSRF.search(self.browser.get(path).text).group(1)

    def post(self, path, form_path, fields, status=302, upload_files=None):
        fields = dict(fields, csrf_token=self.csrf(form_path))
        return self.browser.post(path, fields, status=status, upload_files=upload_files)


@pytest.fixture
def site(mongo_url, tmp_path):
    with ToolsSite(mongo_url, tmp_path, "tools") as built:
        yield built


def activity_topics(project_id):
    return {doc["topic"] for doc in session.db["activity"].find({"project_id": project_id})}


def test_wiki_tracker_and_discussion_flows_reach_the_worker(site):
    _ada, project, _tools = site.create_demo_project(
        PASSWORD, ("wiki", "wiki"), ("tracker", "tickets"), ("discussion", "forum"))
    session.close()
    worker = site.start_worker()

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
    assert "Traceback" not in worker.text()
