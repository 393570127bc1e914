"""New tickets in a batch: the search reactor walks to each (reading its
family, which indexing it reads anyway) without reading it by path first,
and looks its reporter and author up once for the batch (the tool's
``forge.user_lookup`` and the core's author under one key); the index holds
what a full rebuild gives, and the tickets are found."""
from types import SimpleNamespace

import pytest

from forge.actions.projects import install_tool
from forge.actions.roles import add_member, role_named
from forge.model import OutboxEvent, Project, ToolInstance, User, session
from forge.model.session import collection
from forge.search import indexer as indexer_module
from forge.search import reindex
from forge.testing import count_collection_calls, count_queries

from .helpers import find


@pytest.fixture
def site(registry, make_user, make_project, run_reactors):
    ada = make_user("ada")
    project = make_project("demo", ada, title="Demo")
    add_member(registry, project, role_named(project, "Member"), make_user("mem"), ada)
    install_tool(registry, project, "tracker", "tickets", ada)
    session.close()
    run_reactors()
    return project


def new_tickets(registry, site, count):
    from tools.tracker.actions import create_ticket
    tool = ToolInstance.query.get(project_id=site._id, mount="tickets")
    for i in range(count):
        create_ticket(registry, Project.query.get(_id=site._id), tool, {
            "title": "Crash %d" % i, "description": "zebra stripes %d" % i, "labels": [],
            "custom": {}, "ext": {}}, User.query.get(username="mem"))
    session.close()
    return tuple(record["message"] for record in collection(OutboxEvent).find(
        {"topic": "tracker.ticket.created"}).sort("seq", 1))


def stored_documents(registry):
    index = registry.forge_search_index()
    searcher = index.searcher()
    import tantivy
    hits = searcher.search(tantivy.Query.all_query(), limit=1000).hits
    return sorted((searcher.doc(address).to_dict() for _score, address in hits),
                  key=lambda document: document["id"])


def test_a_batch_of_new_tickets_reads_each_once_and_its_reporter_once(registry, site,
                                                                        monkeypatch):
    created = new_tickets(registry, site, 3)
    calls = count_collection_calls(monkeypatch, indexer_module)
    with count_queries() as reads:
        indexer_module.on_event(created, SimpleNamespace(registry=registry))
    assert calls == []                  # no artifact read by path
    # the site's generations, then per ticket its family and its (absent)
    # thread; mem, reporter and author of all three, once at most
    assert len(reads) <= 1 + 2 * len(created) + 1
    assert sorted(find(registry, "zebra", User.query.get(username="ada"))) == [
        "#1 Crash 0", "#2 Crash 1", "#3 Crash 2"]
    assert find(registry, "reporter:mem author:mem zebra", User.query.get(username="ada"))
    # what the reactor indexed is what a rebuild indexes
    indexed = stored_documents(registry)
    reindex(registry)
    assert stored_documents(registry) == indexed


def test_a_ticket_moved_away_from_its_events_path_leaves_it(registry, site, run_reactors):
    created = new_tickets(registry, site, 1)
    run_reactors()
    event = dict(created[0], path="99")         # an event of a path it is no longer at
    indexer_module.on_event((event,), SimpleNamespace(registry=registry))
    assert find(registry, "zebra", User.query.get(username="ada")) == []
