"""The tracker's list pages in a real browser: admin adds a milestone (a bad
due date first), bulk-edits tickets from the list, sees the milestone's
progress, and saves a search."""
import pytest

from .conftest import login, project_url, shot

pytestmark = pytest.mark.browser


@pytest.fixture
def tracker(page, seed, live_registry):
    from forge.model import Project, ToolInstance, User, session
    from tools.tracker.actions import create_ticket
    owner = seed.user("lisa")
    project = seed.project(owner, prefix="lst", title="Lists", tools=[("tracker", "tickets")])
    tool = ToolInstance.query.get(project_id=project._id, mount="tickets")
    actor = User.query.get(_id=owner._id)
    for title in ("Fuel leak", "Loose bolt", "Paint chipped"):
        create_ticket(live_registry, Project.query.get(_id=project._id), tool,
                      {"title": title, "description": ""}, actor)
    session.close()
    login(page, owner.username)
    return page, project_url(project) + "tickets/"


def test_milestone_admin_bulk_edit_progress_and_saved_search(tracker):
    page, tool_url = tracker
    page.goto(tool_url + "@@admin")
    page.get_by_label("Name", exact=True).first.fill("Launch")
    page.locator("#milestone-due").fill("next week")
    with page.expect_navigation():
        page.locator("#add-milestone-form").evaluate("form => form.submit()")
    assert "due date must be a date like" in page.get_by_role("alert").inner_text()
    page.locator("#milestone-due").fill("2099-01-31")
    with page.expect_navigation():
        page.get_by_role("button", name="Add milestone").click()
    assert page.get_by_role("status").inner_text() == "Added the milestone “Launch”."
    shot(page, "tracker-admin")

    # bulk edit: select two tickets with the keyboard-usable checkboxes
    page.goto(tool_url)
    page.get_by_label("Select #1").check()
    page.get_by_label("Select #3").check()
    page.get_by_label("Milestone", exact=True).select_option("Launch")
    page.get_by_label("Status", exact=True).select_option("closed")
    page.get_by_label("Add labels").fill("hull")
    shot(page, "tracker-bulk-edit")
    with page.expect_navigation():
        page.get_by_role("button", name="Apply to selected").click()
    assert page.get_by_role("status").inner_text() == "Changed #1, #3."
    # the default list shows open tickets only
    rows = page.locator("#ticket-list tbody tr")
    assert rows.count() == 1 and "Loose bolt" in rows.first.inner_text()

    # the select-all box (list.js) selects every row
    page.locator("#select-all").check()
    assert page.get_by_label("Select #2").is_checked()

    page.goto(tool_url + "@@milestones")
    assert "2 of 2 closed" in page.locator("#open-milestones").inner_text()
    assert page.get_by_role("progressbar").first.get_attribute("aria-valuenow") == "100"
    shot(page, "tracker-milestones")

    # a personal saved search becomes a tab
    page.goto(tool_url + "?q=label%3Ahull")
    assert page.locator("#ticket-list tbody tr").count() == 2
    page.get_by_label("Save this search as").fill("Hull work")
    with page.expect_navigation():
        page.get_by_role("button", name="Save", exact=True).click()
    tab = page.get_by_role("navigation", name="Saved searches").get_by_role(
        "link", name="Hull work")
    assert tab.get_attribute("aria-current") == "page"
    # a bad query is a message on the page, not an error page
    search = page.locator("#ticket-q")
    search.fill("colour:red")
    with page.expect_navigation():
        search.press("Enter")
    assert "Unknown field 'colour'" in page.get_by_role("alert").inner_text()
    shot(page, "tracker-list-error")
