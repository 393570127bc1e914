"""The tracker in a real browser: create a ticket with a custom field, comment,
close it, and find it by filtering the list."""
import pytest

from .conftest import login, project_url, shot

pytestmark = pytest.mark.browser


def heading(page):
    return page.get_by_role("heading", level=1).inner_text()


@pytest.fixture
def tracker(page, seed, live_registry):
    """A signed-in admin of a project with a tracker that has a Severity
    select field; yields (page, tracker url)."""
    from forge.actions.fields import add_custom_field
    from forge.model import ToolInstance, User, session
    owner = seed.user("tess")
    project = seed.project(owner, prefix="trk", title="Rocket",
                           tools=[("tracker", "tickets")])
    tool = ToolInstance.query.get(project_id=project._id, mount="tickets")
    add_custom_field(live_registry, tool, "severity", "Severity", "select",
                     User.query.get(_id=owner._id), options=("minor", "major", "blocker"))
    session.close()
    login(page, owner.username)
    return page, project_url(project) + "tickets/"


def test_ticket_create_comment_close_and_filter(tracker):
    page, tool_url = tracker
    page.goto(tool_url + "@@new")
    assert heading(page) == "New ticket"
    # a refused form keeps what was typed and names the problem by the field
    page.get_by_label("Description").fill("The **engine** stalls at T-3.")
    # (the summary is `required`: submit past the browser's own check)
    with page.expect_navigation():
        page.locator("#ticket-form").evaluate("form => form.submit()")
    assert page.get_by_role("alert").first.is_visible()
    assert page.get_by_label("Description").input_value() == "The **engine** stalls at T-3."

    page.get_by_label("Summary").fill("Engine stalls")
    page.get_by_label("Severity").select_option("blocker")
    page.get_by_label("Priority").select_option("high")
    page.get_by_label("Labels").fill("engine, launch")
    page.get_by_role("button", name="Preview").click()
    preview = page.locator("#ticket-preview")
    preview.locator("strong").wait_for()
    assert preview.locator("strong").inner_text() == "engine"
    shot(page, "tracker-new")
    with page.expect_navigation():
        page.get_by_role("button", name="Create ticket").click()
    assert page.url.endswith(tool_url + "1/")
    assert page.get_by_role("status").inner_text() == "Ticket #1 created."
    assert page.locator("#ticket-summary").inner_text() == "Engine stalls"
    assert page.locator("#ticket-status").inner_text() == "open"
    assert page.locator("tr.field-severity td").inner_text() == "blocker"
    assert page.locator("#ticket-description strong").inner_text() == "engine"

    # a comment, posted with the keyboard-usable form
    page.get_by_role("textbox", name="Add a comment").fill("Reproduced on the *test stand*.")
    with page.expect_navigation():
        page.get_by_role("button", name="Post comment").click()
    assert page.locator("#ticket-timeline .post-text em").inner_text() == "test stand"

    # close it: the timeline names the change
    with page.expect_navigation():
        page.get_by_role("button", name="Close").click()
    assert page.locator("#ticket-status").inner_text() == "closed"
    change = page.locator("#ticket-timeline .timeline-change").last.inner_text()
    assert "status: open → closed" in change
    assert page.get_by_role("button", name="Reopen").is_visible()
    shot(page, "tracker-ticket")

    # watching is a button; history comes free from the core
    with page.expect_navigation():
        page.get_by_role("button", name="Unwatch").click()
    assert page.get_by_role("button", name="Watch", exact=True).is_visible()

    # a second, open ticket; then the list filtered by status
    page.goto(tool_url + "@@new")
    page.get_by_label("Summary").fill("Paint is scratched")
    page.get_by_label("Severity").select_option("minor")
    with page.expect_navigation():
        page.get_by_role("button", name="Create ticket").click()
    filter_the_list(page, tool_url)


def filter_the_list(page, tool_url):
    """Drive the ticket list's search box."""
    page.goto(tool_url)
    search = page.locator("#ticket-q")
    search.fill("status:closed")
    with page.expect_navigation():
        search.press("Enter")
    listing = page.locator("main").inner_text()
    assert "Engine stalls" in listing and "Paint is scratched" not in listing
    shot(page, "tracker-list")
    search = page.locator("#ticket-q")
    search.fill("_severity:minor")
    with page.expect_navigation():
        search.press("Enter")
    listing = page.locator("main").inner_text()
    assert "Paint is scratched" in listing and "Engine stalls" not in listing


def test_an_anonymous_reader_is_sent_to_sign_in_and_back_to_open_a_ticket(new_page, seed):
    from forge.testing import PASSWORD
    owner, member = seed.user("tina"), seed.user("timo")
    project = seed.project(owner, prefix="trk", tools=[("tracker", "tickets")])
    seed.member(project, "Member", member)
    tool_url = project_url(project) + "tickets/"
    page = new_page()
    page.goto(tool_url)
    with page.expect_navigation():
        page.get_by_role("link", name="New ticket").click()
    assert "@@login" in page.url
    page.get_by_label("Username").fill(member.username)
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    assert page.url.endswith(tool_url + "@@new")
    assert heading(page) == "New ticket"
