"""At 390 px (a phone) the everyday pages fit the screen: nothing scrolls
sideways, the header's search boxes stay usable, wide tables scroll inside
their own box instead of pushing the page."""
import pytest

from .conftest import login, project_url, shot

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def overflow(page):
    """How many pixels the page is wider than the screen (0 when it fits)."""
    return page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth")


def assert_fits(page, name):
    shot(page, "mobile-" + name)
    assert overflow(page) <= 0, "%s scrolls sideways by %spx" % (name, overflow(page))


@pytest.fixture(scope="module")
def phone_world(live_registry):
    """One project for every page of this module (made once: the pages only
    read it): a tracker with custom fields and a long ticket, a wiki, forums."""
    from forge.actions.fields import add_custom_field
    from forge.model import Project, ToolInstance, User, session
    from tools.tracker.actions import create_ticket
    from .conftest import Seed
    seed = Seed(live_registry)
    owner = seed.user("pia")
    project = seed.project(owner, prefix="phone", title="A project with a rather long title",
                           tools=[("tracker", "tickets"), ("wiki", "wiki"),
                                  ("discussion", "forums")])
    tool = ToolInstance.query.get(project_id=project._id, mount="tickets")
    owner = User.query.get(_id=owner._id)
    for name in ("severity", "component", "platform"):
        add_custom_field(live_registry, tool, name, name.title(), "string", owner)
    tool = ToolInstance.query.get(_id=tool._id)
    create_ticket(live_registry, Project.query.get(_id=project._id), tool, {
        "title": "A summary long enough to wrap on a narrow screen rather than push "
                 "the table wider than the phone",
        "description": "", "labels": [],
        "custom": {"severity": "an-unbroken-value-that-is-long-enough-to-matter"},
        "ext": {}}, owner)
    session.close()
    return owner.username, project_url(project)


@pytest.fixture
def phone_site(page, phone_world):
    username, base = phone_world
    login(page, username)
    page.set_viewport_size(PHONE)
    return page, base


def test_header_search_boxes_stay_usable(phone_site):
    page, base = phone_site
    page.goto("/")
    assert_fits(page, "front")
    for box in ("#site-q", "#header-search"):
        assert page.locator(box).bounding_box()["width"] >= 120, box


@pytest.mark.parametrize("path", ["", "tickets/", "tickets/1/", "tickets/@@new",
                                  "@@permissions", "tickets/@@permissions", "wiki/",
                                  "forums/", "@@activity"])
def test_pages_fit_a_phone(phone_site, path):
    page, base = phone_site
    page.goto(base + path)
    assert_fits(page, (path or "home").strip("/").replace("/", "-").replace("@@", ""))


def test_ticket_fields_are_not_clipped(phone_site):
    """Every value of the ticket's field table is inside the screen."""
    page, base = phone_site
    page.goto(base + "tickets/1/")
    width = page.viewport_size["width"]
    cells = page.locator("#ticket-fields td")
    assert cells.count() >= 4
    for i in range(cells.count()):
        box = cells.nth(i).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, cells.nth(i).inner_text()
