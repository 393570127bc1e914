"""Search with ``forge worker`` as a separate process on the real RabbitMQ:
the worker's ``forge.search`` reactor writes the index (one directory shared
through ``forge.search.path``), and this process's ``@@search`` (playing the
web process, which never writes) finds the change after its reader reloads;
an ACL change made here is re-indexed by the worker too.

The reactors' queues have fixed names on the shared broker: emptied before,
deleted after (``tests/integration/sites.py``).  Another integration run
with a worker on the same broker at the same time takes some of the
``forge.search`` events (and finds nothing in its own database): run this
file on its own then.
"""
import pytest

from forge.model.session import session

from .sites import WorkerSite

pytestmark = pytest.mark.integration


class SearchSite(WorkerSite):
    def __init__(self, mongo_url, tmp_path):
        super().__init__(mongo_url, tmp_path, "search",
                         {"forge.search.path": str(tmp_path / "search-index")})

    def found(self, query):
        page = self.browser.get("/@@search", {"q": query})
        return page.text


@pytest.fixture
def site(mongo_url, tmp_path):
    with SearchSite(mongo_url, tmp_path) as built:
        yield built


def test_the_worker_indexes_and_the_web_process_finds(site):
    from forge.actions.acl import set_privacy
    from forge.search.indexer import make_request
    from pyramid.traversal import find_resource
    from tools.notes.actions import create_note
    registry = site.registry
    ada, project, (tool,) = site.create_demo_project("search test pass 1", ("notes", "notes"))
    create_note(registry, project, tool, None, "platypus",
                {"title": "Platypus facts", "text": "The platypus lays eggs.", "labels": [],
                 "custom": {}, "ext": {}}, ada)
    session.close()
    worker = site.start_worker()

    site.wait_for("the note in the web process's search",
                  lambda: "Platypus facts" in site.found("platypus eggs"))
    assert "1 result<" in site.found("platypus")

    set_privacy(registry, find_resource(make_request(registry).root, "/p/demo/notes/"),
                True, ada)
    session.close()
    site.wait_for("the private tool's note gone for anonymous",
                  lambda: "0 results" in site.found("platypus"))
    assert "Traceback" not in worker.text()
