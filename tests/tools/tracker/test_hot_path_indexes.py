"""Every query of the pages a signed-in reader uses most (the filtered ticket
list, a ticket, the project's activity and home, search) is served by a
declared index, with no count and no ``$in``/``$or`` scan: what keeps their
cost flat as a forge grows (issue 18; ``bench/scale.py`` measures it on
nx-27017).  Queries are captured on ``mim://`` and checked against the
collections' declared indexes (``forge.queries.index_coverage``)."""
import pytest

from forge.queries.index_coverage import Query, declared_indexes, mim_queries, uncovered_reason
from tools.tracker.actions import create_ticket, update_ticket

from .conftest import TOOL

HOT_PATHS = [
    TOOL + "?q=status%3Aopen+label%3Aui",
    TOOL + "?q=status%3Aopen+label%3Aui&page=2",
    TOOL + "1/",
    "/p/demo/@@activity",
    "/p/demo/",
    "/@@search?q=crash",
]
# reads that may do without an index, and why
EXEMPT = {
    # the site's document and the generations: two documents, read once a request
    ("site_config", "key"),
}


def exempt(query):
    return any(query.collection == collection and name in query.filter
               for collection, name in EXEMPT)


@pytest.fixture
def tickets(registry, site, run_reactors):
    for n in range(30):
        create_ticket(registry, site["project"], site["tool"], {
            "title": "Crash number %d" % n, "description": "", "labels": ["ui"]},
            site["mem"])
    run_reactors()
    return site


@pytest.mark.parametrize("reader", [None, "mem"])
def test_hot_path_queries_use_declared_indexes(registry, login, tickets, reader):
    from forge.fragments import generation_store
    browser = login(reader)
    problems, seen = [], set()
    for path in HOT_PATHS:
        browser.get(path, status=200)           # warm: templates, the tree cache
        # but the page and its pieces computed again, as on a site that was just
        # written: the kept pieces dropped, a URL the page cache has not seen
        generation_store(registry).clear()
        with mim_queries() as queries:
            browser.get(path + ("&" if "?" in path else "?") + "probe=1", status=200)
        seen.update(query.collection for query in queries)
        for query in queries:
            reason = uncovered_reason(query, declared_indexes(query.collection))
            if reason and not exempt(query):
                problems.append("%s: %s: %s" % (path, query.describe(), reason))
    assert problems == []
    assert {"artifact", "activity"} <= seen     # the capture saw the pages' own reads


def test_the_check_fails_on_scans():
    indexes = [("tool_id", "deleted", "number"), ("number",)]
    covered = Query("artifact", "find", {"tool_id": "t", "deleted": False}, ("number",))
    assert uncovered_reason(covered, indexes) is None
    assert uncovered_reason(Query("artifact", "find", {}, ("number",)), indexes) is None
    assert "no declared index" in uncovered_reason(
        Query("artifact", "find", {"title": "x"}), indexes)
    assert "count" in uncovered_reason(Query("artifact", "count", {"tool_id": "t"}), indexes)
    assert "$or" in uncovered_reason(
        Query("artifact", "find", {"$or": [{"tool_id": "a"}, {"tool_id": "b"}]}), indexes)
    assert "$in" in uncovered_reason(
        Query("artifact", "find", {"tool_id": {"$in": ["a", "b"]}}), indexes)
    assert uncovered_reason(Query("artifact", "find", {"_id": "x"}), []) is None


def test_the_kept_list_follows_every_change(registry, login, tickets):
    browser = login("mem")
    path = TOOL + "?q=status%3Aopen+label%3Aui"
    assert "Crash number 29" in browser.get(path).text
    from tools.tracker.model import Ticket
    doc = Ticket.query.get(tool_id=tickets["tool"]._id, number=30)
    update_ticket(registry, doc, doc.version, {"title": "Renamed crash"}, tickets["mem"])
    page = browser.get(path).text
    assert "Renamed crash" in page and "Crash number 29" not in page
