"""The hook admin pages in a browser: add a hook, see its deliveries fail,
redeliver a dead one from the log."""
import pytest

from tests.webhooks.receiver import Receiver

from .conftest import login, project_url, shot

pytestmark = pytest.mark.browser


@pytest.fixture
def receiver(live_registry, monkeypatch):
    # the live forge's webhooks may call this test's own receiver, and retry fast
    monkeypatch.setitem(live_registry.forge_webhook_settings,
                        "forge.webhooks.allow_private", True)
    monkeypatch.setitem(live_registry.settings, "forge.bus.retry_base_seconds", 0.01)
    monkeypatch.setitem(live_registry.settings, "forge.bus.retry_max_seconds", 0.02)
    monkeypatch.setitem(live_registry.settings, "forge.bus.max_attempts", 2)
    made = Receiver((500,))
    yield made
    made.close()


def test_add_a_hook_see_it_fail_and_redeliver(run_reactors, page, seed, live_registry, receiver):
    owner = seed.user("hooker")
    project = seed.project(owner, prefix="hooked", title="Hooked Project",
                           tools=[("notes", "notes")])
    login(page, owner.username)
    page.goto(project_url(project) + "@@webhooks")
    assert page.locator("#no-webhooks").is_visible()
    page.get_by_label("Payload URL").fill(receiver.url)
    page.get_by_label("Topics").fill("notes.note.*")
    assert len(page.get_by_label("Secret").input_value()) >= 16     # offered, random
    with page.expect_navigation():
        page.get_by_role("button", name="Add webhook").click()
    assert "is added" in page.get_by_role("status").inner_text()
    hook_page = page.url
    assert page.locator("#no-deliveries").is_visible()

    seed.note(project, "notes", "Hook Me")
    run_reactors()
    assert len(receiver.requests) == 2                        # forge.bus.max_attempts
    page.goto(hook_page)
    row = page.locator(".delivery-row")
    assert row.locator(".delivery-state").inner_text() == "dead"
    assert row.locator(".delivery-attempt").count() == 2
    assert "HTTP 500" in row.inner_text()
    shot(page, "webhook-delivery-log")

    receiver.answer(200)
    with page.expect_navigation():
        row.get_by_role("button", name="Redeliver").click()
    assert "sent again" in page.get_by_role("status").inner_text()
    run_reactors()
    assert len(receiver.requests) == 1
    page.goto(hook_page)
    assert page.locator(".delivery-row .delivery-state").inner_text() == "delivered"

    # back on the list, the hook is there; the tool's own page is linked
    page.get_by_role("link", name="Webhooks of Hooked Project").click()
    assert receiver.url in page.locator("#webhook-list").inner_text()
    assert page.locator("#tool-webhook-links").get_by_role("link").count() == 1


def test_a_bad_hook_is_refused_with_the_form_kept(page, seed, live_registry):
    owner = seed.user("hooker")
    project = seed.project(owner, prefix="hooked")
    login(page, owner.username)
    page.goto(project_url(project) + "@@webhooks")
    page.get_by_label("Payload URL").fill("http://169.254.169.254/latest/meta-data")
    page.get_by_label("Topics").fill("#")
    page.get_by_role("button", name="Add webhook").click()
    assert "private, loopback or link-local" in page.get_by_role("alert").inner_text()
    assert page.get_by_label("Payload URL").input_value() == \
        "http://169.254.169.254/latest/meta-data"
