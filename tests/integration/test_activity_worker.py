"""Activity with ``forge worker`` as a separate process on the real RabbitMQ:
the ``forge.activity`` reactor writes the entries, and the project's
``@@activity`` page shows them to who may read each node.

(Each site takes a bus namespace of its own, so other runs on this broker
cannot take its events.)
"""
import pytest
import webtest

from forge.model.session import session

from .sites import WorkerSite

pytestmark = pytest.mark.integration


class ActivitySite(WorkerSite):
    """ada's project ``demo`` with a notes tool; the notes tool only."""

    def __init__(self, mongo_url, tmp_path):
        super().__init__(mongo_url, tmp_path, "activity", {
            "forge.tools": "tools.notes", "forge.load_tool_entry_points": "false"})
        self.ada, self.project, (self.tool,) = self.create_demo_project(
            "activity test pass 1", ("notes", "notes"))
        self.notes = 0

    def create_notes(self, count):
        from tools.notes.actions import create_note
        for _ in range(count):
            self.notes += 1
            create_note(self.registry, self.project, self.tool, None, "n%d" % self.notes,
                        {"title": "Note %d" % self.notes, "text": "x", "labels": [],
                         "custom": {}, "ext": {}}, self.ada)
        session.close()


@pytest.fixture
def site(mongo_url, tmp_path):
    with ActivitySite(mongo_url, tmp_path) as built:
        yield built


def test_activity_entries_appear_from_the_worker(site):
    from tools.notes.actions import create_note
    site.start_worker()
    site.create_notes(3)
    create_note(site.registry, site.project, site.tool, None, "secret",
                {"title": "Secret Plans", "text": "", "labels": [], "custom": {}, "ext": {}},
                site.ada, private=True)
    session.close()
    # 4 notes, the tool, the project
    site.wait_for("6 activity entries",
                  lambda: session.db["activity"].count_documents({}) >= 6)
    session.close()
    page = webtest.TestApp(site.app).get("/p/demo/@@activity")
    for i in (1, 2, 3):
        assert "Note %d" % i in page.text
    assert "Secret Plans" not in page.text
    assert page.text.count('class="activity-entry"') == 5


def test_a_stored_page_shows_what_the_worker_wrote(site):
    """The worker is another process: its writes bump the content generation,
    so the page cache of this one never serves the page from before them."""
    from forge.page_cache import HEADER
    site.create_notes(2)               # no worker yet: no activity entries
    session.close()
    reader = webtest.TestApp(site.app)
    before = reader.get("/p/demo/@@activity")
    assert "Note 1" not in before.text
    assert reader.get("/p/demo/@@activity").headers[HEADER] == "hit"
    site.start_worker()
    site.wait_for("4 activity entries",
                  lambda: session.db["activity"].count_documents({}) >= 4)
    session.close()
    after = reader.get("/p/demo/@@activity")
    assert "Note 1" in after.text and "Note 2" in after.text
