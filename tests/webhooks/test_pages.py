"""The hook admin pages: who may use them, what they refuse, the delivery log
and its "Redeliver"."""
import pytest
import webtest

from forge.actions.tokens import create_token
from forge.bus.dead_letters import list_dead_letters
from forge.model import ChangeLogEntry, session
from forge.testing import ForgeBrowser
from forge.webhooks.model import DEAD, DELIVERED, Webhook, WebhookAttempt, WebhookDelivery
from forge.webhooks.reactor import REACTOR_NAME

from .conftest import SECRET, note

HOOKS = "/p/demo/@@webhooks"


@pytest.fixture
def browser(forge_app, site):
    def make(username):
        browser = ForgeBrowser(forge_app)
        browser.login(username)
        return browser
    return make


def add(browser, url, topics="notes.note.*", where=HOOKS, status=302, secret=SECRET):
    return browser.post_form(where, {"url": url, "topics": topics, "secret": secret},
                             status=status)


def test_an_admin_adds_a_hook_and_it_is_logged(browser, site):
    ada = browser("ada")
    page = ada.get(HOOKS)
    assert page.html.find(id="no-webhooks") is not None
    secret_field = page.html.find(id="webhook-secret")["value"]
    assert len(secret_field) >= 16                         # a random one offered
    response = add(ada, "https://ci.example.com/hooks", "tracker.ticket.* notes.note.created")
    assert "@@webhook?id=" in response.location
    page = response.follow()
    assert "https://ci.example.com/hooks" in page.text
    assert SECRET not in page.text                         # the secret is not shown again
    [hook] = Webhook.query.find().all()
    assert hook.topics == ["tracker.ticket.*", "notes.note.created"]
    assert hook.owner_id == site["ada"]._id and hook.tool_id is None
    assert "https://ci.example.com/hooks" in ada.get(HOOKS).html.find(id="webhook-list").text
    [entry] = ChangeLogEntry.query.find({"action": "webhook.create"}).all()
    assert entry.node_id == site["project"]._id


@pytest.mark.parametrize("who,status", [("dev", 403), ("out", 403)])
def test_only_admins_see_the_pages(browser, site, who, status):
    someone = browser(who)
    someone.get(HOOKS, status=status)
    someone.get("/p/demo/notes/@@webhooks", status=status)
    add(someone, "https://ci.example.com/", status=status)
    assert Webhook.query.find().count() == 0


def test_anonymous_readers_are_sent_to_sign_in(forge_app, site):
    response = webtest.TestApp(forge_app).get(HOOKS, status="*")
    assert response.status_int in (302, 403)
    assert Webhook.query.find().count() == 0


def test_token_scopes_apply(forge_app, site):
    client = webtest.TestApp(forge_app)
    write = create_token(site["ada"], "w", scope="write")[1]
    admin = create_token(site["ada"], "a", scope="admin")[1]
    client.get(HOOKS, headers={"Authorization": "Bearer " + write}, status=403)
    client.get(HOOKS, headers={"Authorization": "Bearer " + admin}, status=200)


@pytest.mark.parametrize("fields,message", [
    ({"url": "gopher://x.example/"}, "http:// or https://"),
    ({"url": "http://10.0.0.8/hook"}, "private, loopback or link-local"),
    ({"topics": ""}, "at least one topic"),
    ({"topics": "tracker..ticket"}, "empty word"),
    ({"topics": "tracker.ti*"}, "wildcard must be a whole word"),
    ({"secret": "short"}, "16 to 200"),
])
def test_bad_hooks_are_refused(browser, site, fields, message, registry, monkeypatch):
    monkeypatch.setitem(registry.forge_webhook_settings, "forge.webhooks.allow_private", False)
    ada = browser("ada")
    form = dict({"url": "https://ci.example.com/", "topics": "#", "secret": SECRET}, **fields)
    page = ada.post_form(HOOKS, form, status=400)
    assert message in page.html.find(id="webhook-error").text
    assert page.html.find(id="webhook-url")["value"] == form["url"]   # kept for a fix
    assert Webhook.query.find().count() == 0


def test_a_tool_hook_and_the_projects_link_to_it(browser, site):
    ada = browser("ada")
    links = ada.get(HOOKS).html.find(id="tool-webhook-links")
    assert links.find("a")["href"].endswith("/p/demo/notes/@@webhooks")
    add(ada, "https://ci.example.com/notes", where="/p/demo/notes/@@webhooks")
    [hook] = Webhook.query.find().all()
    assert hook.tool_id == site["notes"]._id
    assert ada.get(HOOKS).html.find(id="webhook-list") is None     # not a project hook
    # a hook is reached only through its own node
    ada.get("/p/demo/@@webhook", {"id": hook._id}, status=404)
    ada.get("/p/demo/notes/@@webhook", {"id": hook._id}, status=200)
    ada.get("/p/demo/notes/@@webhook", {"id": "nope"}, status=404)
    ada.get("/p/demo/notes/@@webhook", status=404)


def test_pause_resume_and_remove(browser, site, registry, receiver, run_reactors):
    ada = browser("ada")
    target = receiver(200)
    add(ada, target.url)
    [hook] = Webhook.query.find().all()
    page = "/p/demo/@@webhook?id=" + hook._id
    ada.post_form(page, {"action": "pause"}, status=302)
    note(registry, site, "quiet")
    run_reactors()
    assert target.requests == []
    assert ada.get(page).html.find(id="webhook-state").text == "paused"
    ada.post_form(page, {"action": "resume"}, status=302)
    note(registry, site, "loud")
    run_reactors()
    # (run_reactors publishes the whole outbox again: "quiet" may come now too)
    assert "/notes/loud/" in " ".join(b.decode() for _p, _h, b in target.requests)
    ada.post_form(page, {"action": "bogus"}, status=400)
    ada.post_form(page, {"action": "delete"}, status=302)
    session.close()
    assert Webhook.query.find().count() == 0 and WebhookDelivery.query.find().count() == 0
    assert WebhookAttempt.query.find().count() == 0
    assert {e.action for e in ChangeLogEntry.query.find(
        {"action": {"$regex": "^webhook"}})} == {"webhook.create", "webhook.pause",
                                                  "webhook.resume", "webhook.delete"}


def test_a_dead_delivery_is_redelivered_from_the_log(browser, site, registry, receiver,
                                                     run_reactors):
    ada = browser("ada")
    target = receiver(500)
    add(ada, target.url)
    [hook] = Webhook.query.find().all()
    note(registry, site, "doomed")
    run_reactors()
    session.close()
    [delivery] = WebhookDelivery.query.find().all()
    assert delivery.state == DEAD
    assert len(list_dead_letters(registry, REACTOR_NAME)) == 1
    page = ada.get("/p/demo/@@webhook", {"id": hook._id})
    row = page.html.find(id="delivery-" + delivery._id)
    assert row.select_one(".delivery-state").text == "dead"
    assert len(row.select(".delivery-attempt")) == 4
    assert "HTTP 500" in row.text
    target.answer(200)
    ada.post_form("/p/demo/@@webhook?id=" + hook._id,
                  {"action": "redeliver", "delivery": delivery._id}, status=302)
    # a second click while it is on its way is refused, not sent twice
    ada.post_form("/p/demo/@@webhook?id=" + hook._id,
                  {"action": "redeliver", "delivery": delivery._id}, status=400)
    assert list_dead_letters(registry, REACTOR_NAME) == []      # out of the dead letters
    run_reactors()
    assert [h["X-Forge-Delivery"] for _p, h, _b in target.requests] == [delivery._id]
    session.close()
    assert WebhookDelivery.query.get(_id=delivery._id).state == DELIVERED
    # a delivered one may be sent again too (same id: the receiver acts once)
    ada.post_form("/p/demo/@@webhook?id=" + hook._id,
                  {"action": "redeliver", "delivery": delivery._id}, status=302)
    run_reactors()
    assert len(target.requests) == 2 and len(target.acted) == 1
    ada.post_form("/p/demo/@@webhook?id=" + hook._id,
                  {"action": "redeliver", "delivery": "not-one"}, status=400)
