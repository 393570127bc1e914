"""The message bus admin page, as a site admin sees it."""
import pytest

from .conftest import login, shot

pytestmark = pytest.mark.browser


def test_site_admin_reads_the_bus_page(page, seed):
    root = seed.user("root", site_admin=True)
    login(page, root.username)
    response = page.goto("/@@bus")
    assert response.status == 200
    assert page.get_by_role("heading", level=1).inner_text() == "Message bus"
    assert "not yet published" in page.locator("main").inner_text()
    shot(page, "bus-status")
