"""The delivery reactor on memory://, against real HTTP receivers on 127.0.0.1:
signatures, topics, the owner's read rule, retries, dead letters, redelivery."""
import hashlib
import hmac
import json

import pytest

from forge.bus.dead_letters import list_dead_letters
from forge.model import User, session
from forge.webhooks.actions import attempts_of, create_hook
from forge.webhooks.model import DEAD, DELIVERED, WebhookDelivery
from forge.webhooks.reactor import REACTOR_NAME

from .conftest import SECRET, note


def hook_for(registry, site, url, topics="notes.note.*", tool=False, owner=None):
    return create_hook(registry, registry.forge_webhook_settings, site["project"],
                       site["notes"] if tool else None, url, topics, SECRET,
                       owner or site["ada"])


def attempts(delivery):
    return attempts_of([delivery])[delivery._id]


def verify(headers, body, secret=SECRET):
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(headers["X-Forge-Signature"], expected)


def dead_letters(registry):
    return [letter for letter in list_dead_letters(registry, REACTOR_NAME)]


def test_a_matching_event_is_posted_signed(registry, site, receiver, run_reactors):
    target = receiver(200)
    hook = hook_for(registry, site, target.url)
    note(registry, site, "first", title="First note")
    run_reactors()
    [(path, headers, body)] = target.requests
    assert path == "/hook"
    assert verify(headers, body)
    assert not verify(headers, body, secret="another secret, not the hook's")
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Forge-Event"] == "notes.note.created"
    payload = json.loads(body)
    assert payload["topic"] == "notes.note.created"
    assert payload["hook"] == hook._id
    assert payload["delivery"] == headers["X-Forge-Delivery"]
    assert payload["url"] == "http://127.0.0.1:6543/p/demo/notes/first/"
    assert payload["event"]["path"] == "first"
    session.close()
    [delivery] = WebhookDelivery.query.find().all()
    assert delivery.state == DELIVERED and delivery._id == headers["X-Forge-Delivery"]
    assert [a.status for a in attempts(delivery)] == [200]


def test_only_matching_topics_and_places(registry, site, receiver, run_reactors):
    everything, tickets_only, tool_hook = receiver(200), receiver(200), receiver(200)
    hook_for(registry, site, everything.url, topics="#")
    hook_for(registry, site, tickets_only.url, topics="tracker.ticket.*")
    hook_for(registry, site, tool_hook.url, topics="notes.note.created", tool=True)
    note(registry, site, "n1")
    run_reactors()
    assert {h["X-Forge-Event"] for _p, h, _b in everything.requests} >= {"notes.note.created"}
    assert tickets_only.requests == []
    assert [h["X-Forge-Event"] for _p, h, _b in tool_hook.requests] == ["notes.note.created"]


def test_nothing_the_owner_may_not_read_is_sent(registry, site, receiver, run_reactors):
    from forge.actions.users import set_disabled
    from tools.notes.actions import create_note
    target = receiver(200)
    # "out" holds no role: reads the public note, not the private one (Members only)
    hook_for(registry, site, target.url, owner=site["out"])
    note(registry, site, "public")
    create_note(registry, site["project"], site["notes"], None, "private",
                {"title": "Private", "text": "x", "labels": [], "custom": {}, "ext": {}},
                site["ada"], private=True)
    run_reactors()
    assert [json.loads(b)["event"]["path"] for _p, _h, b in target.requests] == ["public"]
    session.close()
    assert WebhookDelivery.query.find().count() == 1       # no record of the private one
    target.answer(200)
    set_disabled(User.query.get(username="out"), True, site["ada"])
    note(registry, site, "after")
    run_reactors()
    assert target.requests == []             # a disabled owner's hook sends nothing


def test_failing_then_succeeding_is_acted_on_once(registry, site, receiver, run_reactors):
    target = receiver(500, 503, 200)
    other = receiver(200)
    hook_for(registry, site, target.url)
    hook_for(registry, site, other.url)
    note(registry, site, "retry")
    run_reactors()
    ids = [h["X-Forge-Delivery"] for _p, h, _b in target.requests]
    assert len(ids) == 3 and len(set(ids)) == 1          # one idempotency id throughout
    assert len({b for _p, _h, b in target.requests}) == 1  # the same bytes each time
    assert list(target.acted) == ids[:1]
    assert len(other.requests) == 1                       # not sent again on the retries
    session.close()
    delivery = WebhookDelivery.query.get(_id=ids[0])
    assert delivery.state == DELIVERED
    assert [a.status for a in attempts(delivery)] == [500, 503, 200]
    assert "HTTP 500" in attempts(delivery)[0].error
    assert dead_letters(registry) == []


def test_always_failing_goes_to_dead_letters(registry, site, receiver, run_reactors):
    target = receiver(500)
    hook_for(registry, site, target.url)
    note(registry, site, "doomed")
    run_reactors()
    assert len(target.requests) == 4                        # forge.bus.max_attempts
    session.close()
    [delivery] = WebhookDelivery.query.find().all()
    assert delivery.state == DEAD
    [letter] = dead_letters(registry)
    assert letter.event_id == delivery.event_id


@pytest.mark.parametrize("kw,error", [
    ({"statuses": (302,), "location": "http://169.254.169.254/latest"}, "redirect"),
    ({"statuses": (200,), "delay": 3}, "No answer within"),
])
def test_redirects_and_time_outs_are_failures(registry, site, receiver, run_reactors,
                                              kw, error, monkeypatch):
    monkeypatch.setitem(registry.settings, "forge.bus.max_attempts", 1)
    target = receiver(*kw.pop("statuses"), **kw)
    hook_for(registry, site, target.url)
    note(registry, site, "n")
    run_reactors()
    session.close()
    [delivery] = WebhookDelivery.query.find().all()
    assert error in attempts(delivery)[0].error
    assert delivery.state == DEAD
    assert len(target.requests) == 1           # the redirect was not followed


def test_private_addresses_are_refused_at_delivery(registry, site, receiver, run_reactors,
                                                  monkeypatch):
    target = receiver(200)
    hook_for(registry, site, target.url.replace("127.0.0.1", "localhost"))
    monkeypatch.setitem(registry.forge_webhook_settings, "forge.webhooks.allow_private", False)
    monkeypatch.setitem(registry.settings, "forge.bus.max_attempts", 1)
    note(registry, site, "n")
    run_reactors()
    assert target.requests == []
    session.close()
    [delivery] = WebhookDelivery.query.find().all()
    assert "not a public address" in attempts(delivery)[0].error


def test_the_log_keeps_the_bus_retention(registry, site, receiver, run_reactors):
    from forge.model.session import collection
    from forge.webhooks.model import WebhookAttempt
    target = receiver(200)
    hook_for(registry, site, target.url)
    note(registry, site, "old")
    run_reactors()
    session.close()
    [old] = WebhookDelivery.query.find().all()
    days = float(registry.settings["forge.bus.keep_days"])
    collection(WebhookDelivery).update_one(
        {"_id": old._id}, {"$set": {"created": old.created - days * 86400 - 60}})
    note(registry, site, "new")
    run_reactors()
    session.close()
    assert [d.event["path"] for d in WebhookDelivery.query.find()] == ["new"]
    assert WebhookAttempt.query.find({"delivery_id": old._id}).count() == 0


def test_a_batch_with_failing_deliveries_posts_each_as_often_as_alone(
        registry, site, receiver, run_reactors):
    # both notes' events come in one batch (forge.bus.batches): the batch's
    # failed POSTs are not made again by the worker's one-at-a-time rerun,
    # so each delivery has forge.bus.max_attempts POSTs, as alone
    from forge.webhooks.reactor import deliver
    assert deliver.forge_reactor_batching is not None
    target = receiver(500)
    hook_for(registry, site, target.url)
    note(registry, site, "doomed-1")
    note(registry, site, "doomed-2")
    run_reactors()
    ids = [h["X-Forge-Delivery"] for _p, h, _b in target.requests]
    assert len(set(ids)) == 2 and sorted(ids.count(i) for i in set(ids)) == [4, 4]
    session.close()
    assert {d.state for d in WebhookDelivery.query.find().all()} == {DEAD}
    assert len(dead_letters(registry)) == 2
