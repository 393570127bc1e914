"""What every page has: a title naming its project, a favicon, a skip link,
and a header "Sign in" that comes back to the page."""
import pytest

from .conftest import project_url, shot

pytestmark = pytest.mark.browser


def test_titles_name_the_project_and_sign_in_comes_back(page, seed):
    from forge.testing import PASSWORD
    owner = seed.user("tia")
    project = seed.project(owner, prefix="chrome", title="Lighthouse",
                           tools=[("notes", "notes")])
    url = seed.note(project, "notes", "Beacon plan", text="words")
    page.goto(url)
    assert page.title() == "Beacon plan · Lighthouse · PyForge"
    icon = page.locator("link[rel=icon]").get_attribute("href")
    assert page.request.get(icon).ok
    with page.expect_navigation():
        page.get_by_role("link", name="Sign in").click()
    page.get_by_label("Username").fill(owner.username)
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    assert page.url.endswith(url)
    assert page.get_by_role("heading", level=1).inner_text() == "Beacon plan"


def test_the_skip_link_is_the_first_stop_and_leads_to_the_content(page, seed):
    owner = seed.user("sam")
    project = seed.project(owner, prefix="chrome", title="Harbour")
    page.goto(project_url(project))
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to the content")
    assert skip.evaluate("el => el === document.activeElement")
    assert skip.bounding_box()["y"] >= 0          # shown when focused
    shot(page, "skip-link")
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
