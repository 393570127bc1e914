"""The front page lists projects and its search box filters them."""
import pytest

from .conftest import shot

pytestmark = pytest.mark.browser


def test_front_page_lists_projects_and_search_filters(page, seed):
    ada = seed.user("ada")
    apple = seed.project(ada, prefix="apple", title="Apple orchard tracker")
    seed.project(ada, prefix="pear", title="Pear press")

    response = page.goto("/")
    assert response.status == 200
    assert page.title().endswith("PyForge")
    # forge.css is served and applied: the header is dark, not the default transparent
    header_background = page.evaluate(
        "getComputedStyle(document.querySelector('header.site-header')).backgroundColor")
    assert header_background not in ("rgba(0, 0, 0, 0)", "transparent")
    projects = page.locator("#project-list")
    assert projects.get_by_role("link", name="Apple orchard tracker").is_visible()
    assert projects.get_by_role("link", name="Pear press").is_visible()
    shot(page, "front-page")

    search = page.get_by_label("Find projects")
    search.fill("orchard")
    with page.expect_navigation():
        search.press("Enter")
    assert "q=orchard" in page.url
    assert page.get_by_role("heading", level=1).inner_text() == "Projects matching “orchard”"
    assert projects.get_by_role("link", name="Apple orchard tracker").is_visible()
    assert projects.get_by_role("link", name="Pear press").count() == 0
    shot(page, "front-page-search")

    with page.expect_navigation():
        projects.get_by_role("link", name="Apple orchard tracker").click()
    assert page.url.endswith("/p/%s/" % apple.shortname)


def test_search_without_match_says_so(page, seed):
    page.goto("/?q=nothing-matches-this")
    assert page.get_by_text("No projects match “nothing-matches-this” yet.").is_visible()
