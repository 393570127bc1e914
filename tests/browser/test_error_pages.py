"""The friendly 404 and 403 pages."""
import pytest

from .conftest import login, project_url, shot

pytestmark = pytest.mark.browser


def test_unknown_address_shows_the_friendly_not_found_page(page):
    response = page.goto("/no/such/place")
    assert response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "Not found"
    assert page.get_by_role("alert").inner_text() == \
        "There is nothing here, or you may not see it."
    shot(page, "error-404")
    with page.expect_navigation():
        page.get_by_role("link", name="Go to the front page").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Projects"


def test_signed_in_non_admin_gets_the_friendly_forbidden_page(page, seed):
    owner = seed.user("owner")
    visitor = seed.user("visitor")
    project = seed.project(owner, prefix="public", title="Public Project")
    login(page, visitor.username)
    # the project is public: the visitor may read it ...
    assert page.goto(project_url(project)).status == 200
    # ... but not administer its permissions
    response = page.goto(project_url(project) + "@@permissions")
    assert response.status == 403
    assert page.get_by_role("heading", level=1).inner_text() == "Forbidden"
    assert page.get_by_role("alert").inner_text() == "You may see this page but not do that here."
    assert page.locator("#acl-table").count() == 0
    shot(page, "error-403")


def test_anonymous_visitor_is_sent_to_sign_in_instead_of_403(page, seed):
    owner = seed.user("owner")
    project = seed.project(owner, prefix="public", title="Public Project")
    page.goto(project_url(project) + "@@permissions")
    assert "/@@login?next=" in page.url
    assert page.get_by_role("heading", level=1).inner_text() == "Sign in"


def test_an_expired_form_keeps_what_was_typed(page, seed):
    """A form whose security token no longer matches (an old tab): the page
    says so, shows what was typed, and sends it again on request."""
    user = seed.user("tab")
    login(page, user.username)
    page.goto("/p/@@create")
    name = seed.name("kept")
    page.get_by_label("Short name").fill(name)
    page.get_by_label("Title").fill("Typed before the tab went stale")
    page.locator("#create-project-form input[name=csrf_token]").evaluate(
        "input => input.value = 'stale'")
    with page.expect_navigation():
        page.get_by_role("button", name="Create", exact=True).click()
    assert page.get_by_role("heading", level=1).inner_text() == "Form expired"
    assert page.get_by_label("title").input_value() == "Typed before the tab went stale"
    shot(page, "error-csrf-kept")
    with page.expect_navigation():
        page.get_by_role("button", name="Send it again").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Typed before the tab went stale"
