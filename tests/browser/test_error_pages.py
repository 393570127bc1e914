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
