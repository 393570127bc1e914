"""Issue 17's pages for a signed-in member, at 1280 and 390 px: the dashboard,
the in-app notifications, the roles-first permissions page and a ticket with
people shown by name and linked to their profiles.  Each fits the screen and
is kept as a screenshot."""
import pytest

from .conftest import login, project_url, shot

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def overflow(page):
    return page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth")


@pytest.fixture(scope="module")
def everyday(live_registry):
    """``ida`` reports ticket 1 assigned to herself; ``jon`` (a Developer)
    changes it, so ida has an in-app notification (the live server sends no mail)."""
    from forge.model import Project, ToolInstance, User, session
    from forge.notifications.watches import add_watch
    from tools.tracker.actions import create_ticket, update_ticket
    from .conftest import Seed
    from .reactors import deliver_after, outbox_mark
    mark = outbox_mark(live_registry)
    seed = Seed(live_registry)
    ida, jon = seed.user("ida", display_name="Ida Ticketing"), seed.user("jon")
    project = seed.project(ida, prefix="every", tools=[("tracker", "tickets")])
    seed.member(project, "Developer", jon)
    tool = ToolInstance.query.get(project_id=project._id, mount="tickets")
    ticket = create_ticket(live_registry, Project.query.get(_id=project._id), tool, {
        "title": "Everyday ticket", "description": "", "labels": [], "custom": {},
        "ext": {}, "assigned_to_id": ida._id}, User.query.get(_id=ida._id))
    add_watch(ida._id, "artifact", ticket)
    update_ticket(live_registry, ticket, ticket.version, {"status": "accepted"},
                  User.query.get(_id=jon._id), comment="on it")
    session.close()
    deliver_after(live_registry, mark)      # the notify reactor keeps ida's notification
    session.close()
    return ida.username, project_url(project)


@pytest.mark.parametrize("size", sorted(WIDTHS))
def test_everyday_pages_for_a_member(page, everyday, size):
    username, base = everyday
    login(page, username)
    page.set_viewport_size(WIDTHS[size])

    page.goto("/")
    assert page.get_by_role("heading", level=1).inner_text() == "Welcome, Ida Ticketing"
    assert page.locator("#dashboard-projects").is_visible()
    assert page.get_by_role("link", name="#1 Everyday ticket").first.is_visible()
    assert overflow(page) <= 0
    shot(page, "everyday-dashboard-" + size)

    notices = page.locator("#notifications-link")
    notices.wait_for()
    with page.expect_navigation():
        notices.click()
    assert page.locator("#notification-list li").filter(has_text="Everyday ticket").count() >= 1
    assert overflow(page) <= 0
    shot(page, "everyday-notifications-" + size)

    page.goto(base + "tickets/1/")
    reporter = page.locator("#ticket-fields a.person").first
    assert reporter.inner_text() == "Ida Ticketing"
    assert reporter.get_attribute("href").endswith("/u/%s/@@profile" % username)
    assert overflow(page) <= 0
    shot(page, "everyday-ticket-" + size)

    page.goto(base + "@@permissions")
    assert page.locator("#role-matrix").is_visible()
    assert page.locator("#advanced-acl").get_attribute("open") is None
    assert overflow(page) <= 0
    shot(page, "everyday-permissions-" + size)
