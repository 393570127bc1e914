"""A project without a single hook is remembered with the time of the find
that saw it so (``ProjectsWithoutHooks``): events stored before that find cost
no find; an event stored after it is looked up again, and reaches a hook made
in between."""
from forge.model import session
from forge.webhooks import reactor

from .conftest import note
from .test_delivery import hook_for


def counting_finds(monkeypatch):
    finds = []
    real = reactor.Webhook.query.find

    def find(query, *args, **kw):
        finds.append(query)
        return real(query, *args, **kw)
    monkeypatch.setattr(reactor.Webhook.query, "find", find)
    return finds


def event(site, timestamp):
    return {"id": "e%s" % timestamp, "topic": "notes.note.created", "timestamp": timestamp,
            "project_id": site["project"]._id, "tool_id": site["notes"]._id}


def test_events_stored_before_a_find_that_saw_no_hooks_cost_no_find(
        registry, site, monkeypatch):
    finds = counting_finds(monkeypatch)
    started = reactor.time.time()
    assert reactor.matching_hooks(event(site, started - 1), registry) == []
    assert len(finds) == 1
    assert reactor.matching_hooks(event(site, started - 0.5), registry) == []
    assert reactor.matching_hooks(event(site, started), registry) == []
    assert len(finds) == 1
    assert reactor.matching_hooks(event(site, reactor.time.time() + 5), registry) == []
    assert len(finds) == 2
    # without the registry (no memory): always a find
    assert reactor.matching_hooks(event(site, started - 1)) == []
    assert len(finds) == 3
    # a find older than MAX_AGE_SECONDS is not trusted
    without = reactor.projects_without_hooks(registry)
    monkeypatch.setattr(without, "clock", lambda: reactor.time.time() + 61)
    assert reactor.matching_hooks(event(site, started - 1), registry) == []
    assert len(finds) == 4


def test_a_hook_made_after_the_find_gets_the_events_stored_after_it(
        registry, site, receiver, run_reactors):
    note(registry, site, "before")
    run_reactors()              # the reactor saw the project without hooks
    target = receiver(200)
    hook_for(registry, site, target.url)
    session.close()
    note(registry, site, "after", title="After")
    run_reactors()
    assert [b'"path":"after"' in body for _path, _headers, body in target.requests] == [True]
