"""An archive imported by ``forge import`` (its own process) into a forge whose
``forge worker`` runs on the real RabbitMQ: the worker's reactors rebuild what
the import left to the bus (search, from ``project.imported``), and the web
process (this one) serves the imported project at once, its activity as
history and its private ticket still private.

The round trip itself (every record, ids remapped) is ``tests/archive``'s; this
is the path across processes and the broker that a real move takes."""
import subprocess

import pytest

from forge.model.session import session

from .conftest import COMMAND_TIMEOUT, FORGE
from .sites import WorkerSite

pytestmark = pytest.mark.integration


class ArchiveSite(WorkerSite):
    def __init__(self, mongo_url, tmp_path):
        super().__init__(mongo_url, tmp_path, "archive",
                         {"forge.search.path": str(tmp_path / "search-index")})

    def forge(self, *args):
        """``forge ARGS`` as its own process on this site's database and broker."""
        done = subprocess.run([FORGE, *map(str, args), "--data-dir", str(self.tmp_path / "cli")],
                              capture_output=True, text=True, env=self.env,
                              timeout=COMMAND_TIMEOUT)
        assert "Traceback" not in done.stdout + done.stderr, done.stderr
        return done

    def found(self, query):
        return self.browser.get("/@@search", {"q": query}).text


@pytest.fixture
def site(mongo_url, tmp_path):
    with ArchiveSite(mongo_url, tmp_path) as built:
        yield built


def test_an_imported_project_served_and_searchable_through_the_worker(site):
    from tools.tracker.actions import create_ticket
    ada, project, (tracker,) = site.create_demo_project("archive pass 1",
                                                        ("tracker", "tickets"))
    create_ticket(site.registry, project, tracker,
                  {"title": "Wombat burrows", "description": "Cubic droppings."}, ada)
    create_ticket(site.registry, project, tracker,
                  {"title": "Secret quokka", "description": "Not for strangers."}, ada,
                  private=True)
    session.close()
    site.start_worker()
    site.wait_for("the source's activity",
                  lambda: "Wombat burrows" in site.browser.get("/p/demo/@@activity").text)
    archive = site.tmp_path / "demo.zip"
    done = site.forge("export", "demo", archive)
    assert done.returncode == 0, done.stderr

    done = site.forge("import", archive, "--as", "moved")
    assert done.returncode == 0, done.stderr
    assert "Imported /p/moved/" in done.stdout

    # the web process sees the new project at once (its caches follow the generations)
    page = site.browser.get("/p/moved/tickets/1/")
    assert "Wombat burrows" in page.text
    assert site.browser.get("/p/moved/tickets/2/", status=404)
    # activity comes across as history
    assert "Wombat burrows" in site.browser.get("/p/moved/@@activity").text

    # the search reactor re-indexes the imported tree from project.imported
    site.wait_for("the imported ticket in search",
                  lambda: "/p/moved/tickets/1/" in site.found("wombat"))
    # the whole tree is re-indexed from that one event, so the private ticket is in
    # the index by now: trimmed for this anonymous reader, as on the old path
    assert "/p/moved/tickets/2/" not in site.found("quokka")
    assert "/p/demo/tickets/2/" not in site.found("quokka")
