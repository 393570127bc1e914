"""Webhooks end to end: ``forge worker`` processes deliver over the real
RabbitMQ (retries through its retry queue, then its dead-letter queue) to
real HTTP receivers on 127.0.0.1; this process plays the web process (the hook
pages, "Redeliver")."""
import hashlib
import hmac

import pytest

from forge.bus.dead_letters import list_dead_letters
from forge.model.session import session
from forge.testing import ForgeBrowser
from forge.webhooks.actions import attempts_of
from forge.webhooks.model import DEAD, DELIVERED, Webhook, WebhookDelivery
from forge.webhooks.reactor import REACTOR_NAME
from tests.webhooks.receiver import Receiver

from .sites import WorkerSite

pytestmark = pytest.mark.integration

PASSWORD = "webhook test pass 1"
SECRET = "an-integration-secret-0123"


class HookSite(WorkerSite):
    def __init__(self, mongo_url, tmp_path):
        super().__init__(mongo_url, tmp_path, "webhooks", {
            "forge.webhooks.allow_private": "true",      # the receivers are on 127.0.0.1
            "forge.bus.max_attempts": "4",
            "forge.bus.retry_base_seconds": "0.2",
            "forge.bus.retry_max_seconds": "0.5"})


@pytest.fixture
def site(mongo_url, tmp_path):
    with HookSite(mongo_url, tmp_path) as built:
        yield built


@pytest.fixture
def receivers():
    made = []

    def make(*statuses):
        made.append(Receiver(statuses))
        return made[-1]
    yield make
    for receiver in made:
        receiver.close()


def attempts(delivery):
    return attempts_of([delivery])[delivery._id]


def signed(headers, body):
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(headers["X-Forge-Signature"], expected)


def delivery_in(site, hook, state):
    return site.wait_for("a %s delivery of %s" % (state, hook.url), lambda: WebhookDelivery
                         .query.get(hook_id=hook._id, state=state))


def test_retries_dead_letters_and_redelivery_on_rabbitmq(site, receivers):
    from tools.notes.actions import create_note
    ada, project, (tool,) = site.create_demo_project(PASSWORD, ("notes", "notes"))
    session.close()
    browser = ForgeBrowser(site.app)
    browser.login("ada", PASSWORD)
    flaky = receivers(500, 502, 503, 200)           # fails three times, then succeeds
    broken = receivers(500)                         # always fails
    for receiver in (flaky, broken):
        browser.post_form("/p/demo/@@webhooks", {"url": receiver.url, "topics": "notes.#",
                                                 "secret": SECRET}, status=302)
    session.close()
    hooks = {hook.url: hook for hook in Webhook.query.find()}
    create_note(site.registry, project, tool, None, "hello",
                {"title": "Hello", "text": "Hi.", "labels": [], "custom": {}, "ext": {}}, ada)
    session.close()
    worker = site.start_worker()

    delivered = delivery_in(site, hooks[flaky.url], DELIVERED)
    assert len(flaky.requests) == 4
    assert all(signed(headers, body) for _path, headers, body in flaky.requests)
    assert {headers["X-Forge-Delivery"] for _p, headers, _b in flaky.requests} == \
        {delivered._id}
    assert list(flaky.acted) == [delivered._id]         # acted on once in effect
    assert [a.status for a in attempts(delivered)] == [500, 502, 503, 200]

    dead = delivery_in(site, hooks[broken.url], DEAD)
    [letter] = site.wait_for("the event in the dead letters",
                             lambda: list_dead_letters(site.registry, REACTOR_NAME))
    assert letter.event_id == dead.event_id and letter.attempts == 4
    assert len(broken.requests) == 4 and broken.acted == {}

    # fixed receiver; "Redeliver" on the hook's page
    broken.answer(200)
    page = browser.get("/p/demo/@@webhook", {"id": hooks[broken.url]._id})
    assert page.html.find(id="delivery-" + dead._id).select_one(".delivery-state") \
        .text == "dead"
    browser.post_form("/p/demo/@@webhook?id=" + hooks[broken.url]._id,
                      {"action": "redeliver", "delivery": dead._id}, status=302)
    assert list_dead_letters(site.registry, REACTOR_NAME) == []
    delivery_in(site, hooks[broken.url], DELIVERED)
    assert [h["X-Forge-Delivery"] for _p, h, _b in broken.requests] == [dead._id]
    assert all(signed(headers, body) for _path, headers, body in broken.requests)
    # the redelivery did not send the flaky receiver's delivered event again
    assert len(flaky.requests) == 4
    assert "Traceback" not in worker.text()
