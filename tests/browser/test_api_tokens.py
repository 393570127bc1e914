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
