"""The API token part of the account page."""
import pytest

from .conftest import login, shot

pytestmark = pytest.mark.browser


def test_create_see_once_and_revoke_a_token(page, seed):
    user = seed.user("scripter")
    login(page, user.username)
    page.goto("/@@account")
    page.get_by_label("Token name").fill("nightly export")
    with page.expect_navigation():
        page.get_by_role("button", name="Create token").click()
    token = page.locator("#new-token-value").inner_text()
    assert token.startswith("pf_")
    assert "nightly export" in page.locator("#token-list").inner_text()
    shot(page, "account-api-token")
    page.goto("/@@account")                          # shown only once
    assert page.locator("#new-token-value").count() == 0
    assert token not in page.content()
    with page.expect_navigation():
        page.locator("#token-list").get_by_role("button", name="Revoke").click()
    assert "is revoked" in page.get_by_role("status").inner_text()
    assert page.locator("#token-list").count() == 0


def test_a_limited_token_shows_its_scope_project_expiry_and_last_use(page, seed):
    user = seed.user("scripter")
    project = seed.project(user, prefix="tokproj")
    login(page, user.username)
    page.goto("/@@account")
    page.get_by_label("Token name").fill("ci reader")
    page.get_by_label("Scope").select_option("read")
    page.get_by_label("Limit to project (optional)").fill(project.shortname)
    page.get_by_label("Expires after days (optional)").fill("30")
    with page.expect_navigation():
        page.get_by_role("button", name="Create token").click()
    token = page.locator("#new-token-value").inner_text()
    row = page.locator("#token-list .token-row")
    assert row.locator(".token-scope").inner_text() == "read"
    assert row.locator(".token-project").inner_text() == "/p/%s/" % project.shortname
    assert "UTC" in row.locator(".token-expires").inner_text()
    assert row.locator(".token-last-used").inner_text() == "never"
    # a script uses it: the page shows when
    answer = page.request.get("/p/%s/" % project.shortname,
                              headers={"Authorization": "Bearer " + token})
    assert answer.status == 200
    page.goto("/@@account")
    assert "UTC" in page.locator("#token-list .token-last-used").inner_text()
    shot(page, "account-api-token-limited")


def test_a_bad_limit_is_refused_on_the_page(page, seed):
    user = seed.user("scripter")
    login(page, user.username)
    page.goto("/@@account")
    page.get_by_label("Token name").fill("x")
    page.get_by_label("Limit to project (optional)").fill("no-such-project")
    page.get_by_role("button", name="Create token").click()
    assert "no project" in page.locator("#token-error").inner_text()
