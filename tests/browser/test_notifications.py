"""Notifications in a real browser: watch a project from its home page,
choose daily digests on the account page, and leave through the signed
unsubscribe page (anonymous, from the keyboard)."""
import pytest

from .conftest import login, project_url, shot

pytestmark = pytest.mark.browser


def test_watch_preference_and_unsubscribe(page, new_page, seed, live_registry):
    from forge.notifications.tokens import make_token
    owner = seed.user("wanda")
    reader = seed.user("rita")
    project = seed.project(owner, prefix="watch", title="Observatory",
                           tools=[("wiki", "wiki")])
    login(page, reader.username)

    # watch the project from its home page
    page.goto(project_url(project))
    with page.expect_navigation():
        page.get_by_role("button", name="Watch", exact=True).click()
    assert page.get_by_role("button", name="Unwatch").is_visible()
    assert page.get_by_role("button", name="Unwatch").get_attribute("aria-pressed") == "true"
    assert "You are watching this project." in page.locator("main").inner_text()
    # the wiki has its own button
    page.goto(project_url(project) + "wiki/@@index")
    assert page.get_by_role("button", name="Watch the wiki").is_visible()

    # choose daily digests, with the keyboard
    page.goto("/@@account")
    assert page.get_by_label("An e-mail for each change").is_checked()
    page.get_by_label("A daily digest").check()
    page.get_by_role("button", name="Save e-mail preference").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_label("A daily digest").is_checked()
    page.locator("#notifications").scroll_into_view_if_needed()
    shot(page, "notifications-account")

    # the mail's unsubscribe link, opened by someone not signed in
    token = make_token(live_registry.settings["forge.secret"], reader._id,
                       "w:%s" % project._id)
    anonymous = new_page()
    anonymous.goto("/@@unsubscribe?token=" + token)
    assert "Stop e-mail about this project" in anonymous.locator("main").inner_text()
    shot(anonymous, "notifications-unsubscribe")
    anonymous.get_by_role("button", name="Unsubscribe").focus()
    with anonymous.expect_navigation():
        anonymous.keyboard.press("Enter")
    assert "no longer watches this" in anonymous.get_by_role("status").inner_text()

    page.goto(project_url(project))
    assert page.get_by_role("button", name="Watch", exact=True).is_visible()

    # a cut link is a page with a message
    response = anonymous.goto("/@@unsubscribe?token=" + token[:-3])
    assert response.status == 400
    assert "not valid" in anonymous.locator("main").inner_text()
