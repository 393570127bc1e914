"""Batch delivery (forge.bus.batches) on ``memory://``: a batch reactor gets
what was fetched in one call, recorded in one write; a failing event in a
batch is retried and dead-lettered alone while the others are applied once;
a retried event is handed over alone; the option is checked at registration."""
import uuid

import pytest
from pyramid.config import Configurator
from pyramid.exceptions import ConfigurationError

from forge.bus import worker as worker_module
from forge.bus.batches import Batching, takes_batches
from forge.bus.dead_letters import list_dead_letters
from forge.bus.processed import already_processed
from forge.bus.registry import Reactor
from forge.bus.worker import ReactorWorker
from forge.model import OutboxEvent
from forge.model.session import collection
from forge.testing import forge_test_settings


@pytest.fixture
def forge_settings():
    return forge_test_settings(**{"forge.bus.max_attempts": "2",
                                  "forge.bus.retry_base_seconds": "0.01"})


@pytest.fixture
def batch_reactor(registry):
    """``add(fn)``: a batch reactor on project.created, removed at the end."""
    added = []

    def add(fn, batching=Batching(50, 0.05), idempotent=False):
        name = "test-batch-%s" % uuid.uuid4().hex[:8]
        registry.forge_reactors[name] = Reactor(name=name, topic="project.created", fn=fn,
                                                idempotent=idempotent, batch=batching)
        added.append(name)
        return registry.forge_reactors[name]
    yield add
    for name in added:
        registry.forge_reactors.pop(name, None)


def created_projects(make_user, make_project, count):
    """The ids of the project.created events of ``count`` new projects (and
    ada's personal project), in seq order."""
    ada = make_user("ada")
    for i in range(count):
        make_project("b%d" % i, ada)
    return [r["_id"] for r in collection(OutboxEvent).find(
        {"topic": "project.created"}).sort("seq", 1)]


def test_a_batch_reactor_gets_the_fetched_events_in_one_call_recorded_in_one_write(
        registry, make_user, make_project, batch_reactor, monkeypatch):
    calls = []
    reactor = batch_reactor(lambda events, context: calls.append(
        ([event["id"] for event in events], context.attempt, context.first_copy)))
    events = created_projects(make_user, make_project, 6)
    writes = []
    real = worker_module.mark_all_processed
    monkeypatch.setattr(worker_module, "mark_all_processed",
                        lambda name, ids: (writes.append(list(ids)), real(name, ids)))

    assert ReactorWorker(registry, reactor).run_until_idle() == len(events) == 7
    assert calls == [(events, 1, True)]                   # one call, in seq order
    assert writes == [events]                             # one write for them all
    assert all(already_processed(reactor.name, event_id) for event_id in events)


def test_batches_are_at_most_max_events(registry, make_user, make_project, batch_reactor):
    calls = []
    reactor = batch_reactor(lambda events, context: calls.append([e["id"] for e in events]),
                            Batching(3, 0.05))
    events = created_projects(make_user, make_project, 6)
    ReactorWorker(registry, reactor).run_until_idle()
    assert sum(calls, []) == events
    assert max(len(call) for call in calls) == 3


def test_a_failing_event_goes_to_dead_letters_alone_and_the_others_apply_once(
        registry, make_user, make_project, batch_reactor):
    applied, calls, failing, first_copies = [], [], [], []

    def index(batch, context):
        """All or nothing, as the reactor must be: applied only if every
        event of the call works."""
        ids = [event["id"] for event in batch]
        calls.append((ids, context.attempt))
        first_copies.append(context.first_copy)
        if failing[0] in ids:
            raise ValueError("cannot take %s" % failing[0])
        applied.extend(ids)
    reactor = batch_reactor(index)
    events = created_projects(make_user, make_project, 5)
    bad = events[2]
    failing.append(bad)

    ReactorWorker(registry, reactor).run_until_idle()
    assert sorted(applied) == sorted(e for e in events if e != bad)      # each once
    assert calls[0] == (events, 1)                         # the batch, then one by one
    assert [ids for ids, _attempt in calls[1:]] == [[e] for e in events] + [[bad]]
    assert calls[-1] == ([bad], 2)                         # the retry, alone
    # the failed call may have done part of the work outside the session (a
    # mail sent): the runs after it are never called first copies
    assert first_copies == [True] + [False] * (len(calls) - 1)
    dead = list_dead_letters(registry, reactor.name)
    assert [letter.event_id for letter in dead] == [bad]
    assert not already_processed(reactor.name, bad)
    assert all(already_processed(reactor.name, e) for e in events if e != bad)


def test_second_copies_in_a_batch_are_skipped(registry, make_user, make_project,
                                              batch_reactor):
    from .test_bus_worker_batches import resend_without_first_copy_header
    calls = []
    reactor = batch_reactor(lambda events, context: calls.append(
        ([e["id"] for e in events], context.first_copy)))
    events = created_projects(make_user, make_project, 3)
    ReactorWorker(registry, reactor).run_until_idle()
    records = list(collection(OutboxEvent).find({"topic": "project.created"}).sort("seq", 1))
    resend_without_first_copy_header(reactor, records[:2])
    assert ReactorWorker(registry, reactor).run_until_idle() == 2
    assert calls == [(events, True)]                       # nothing a second time


def test_the_batch_option_is_checked_and_may_be_declared_on_the_function():
    @takes_batches(max_events=10, max_seconds=0.1)
    def declared(events, context):
        pass

    def plain(events, context):
        pass
    config = Configurator(settings={})
    config.include("forge.bus.registry")
    config.add_reactor("#", declared, name="declared")
    config.add_reactor("#", plain, name="counted", batch=7)
    config.add_reactor("#", plain, name="single")
    config.commit()
    reactors = config.registry.forge_reactors
    assert reactors["declared"].batch == Batching(10, 0.1)
    assert reactors["counted"].batch == Batching(7)
    assert reactors["single"].batch is None
    for wrong in (0, True, "10", 2.5):
        with pytest.raises((ConfigurationError, TypeError)):
            config.add_reactor("#", plain, name="wrong", batch=wrong)
            config.commit()
    with pytest.raises(ValueError):
        Batching(5, max_seconds=60)
