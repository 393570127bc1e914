"""A worker asks the database once per fetched batch which events its reactor
already processed, still runs them in order, and records each one."""
import uuid

from forge.bus import worker as worker_module
from forge.bus.processed import already_processed
from forge.bus.registry import Reactor
from forge.bus.worker import ReactorWorker
from forge.model import OutboxEvent
from forge.model.session import collection


def test_one_processed_query_per_batch_and_each_event_recorded(
        registry, make_user, make_project, monkeypatch):
    seen = []
    name = "test-batches-%s" % uuid.uuid4().hex[:8]
    reactor = registry.forge_reactors[name] = Reactor(
        name=name, topic="project.created", fn=lambda event, context: seen.append(event["id"]))
    try:
        ada = make_user("ada")
        for i in range(6):
            make_project("b%d" % i, ada)
        created = [d["_id"] for d in collection(OutboxEvent).find(
            {"topic": "project.created"}).sort("seq", 1)]
        queries = []
        real = worker_module.processed_among

        def counted(reactor_name, event_ids):
            queries.append(list(event_ids))
            return real(reactor_name, event_ids)
        monkeypatch.setattr(worker_module, "processed_among", counted)

        assert ReactorWorker(registry, reactor).run_until_idle() == len(created) == 7
        assert seen == created                                   # in seq order
        assert sum(len(ids) for ids in queries) == len(created)
        assert len(queries) < len(created)                      # batched
        assert all(already_processed(name, event_id) for event_id in created)
    finally:
        registry.forge_reactors.pop(name, None)
