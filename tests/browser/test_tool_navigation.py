"""The project's tool tabs inside tools, and a page of rendered Markdown (task
list, table, bare URL, #12 and @name), at 1280 px and at 390 px (a phone):
both fit the screen, the tabs mark the current tool, the links work."""
import pytest

from .conftest import login, project_url, shot

WIDTHS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}

TEXT = """Release checklist for {owner}:

- [x] tag the release, see #1
- [ ] announce it, @{owner}

| Step | Who | When |
|------|-----|------|
| build | {owner} | Monday |
| publish | nobody in particular, with a long cell that has to wrap | Tuesday |

Details at https://example.org/releases/checklist and in #99 (no such ticket).
"""


@pytest.fixture(scope="module")
def world(live_registry):
    from forge.model import Project, ToolInstance, User, session
    from tools.tracker.actions import create_ticket
    from .conftest import Seed
    seed = Seed(live_registry)
    owner = seed.user("tab")
    project = seed.project(owner, prefix="tabs", title="Tabs",
                           tools=[("tracker", "tickets"), ("wiki", "wiki"),
                                  ("discussion", "forums"), ("notes", "notes")])
    tool = ToolInstance.query.get(project_id=project._id, mount="tickets")
    create_ticket(live_registry, Project.query.get(_id=project._id), tool, {
        "title": "Tag the release", "description": "", "labels": [], "custom": {},
        "ext": {}}, User.query.get(_id=owner._id))
    session.close()
    note = seed.note(project, "notes", "Checklist", TEXT.format(owner=owner.username))
    return owner.username, project_url(project), note


def overflow(page):
    return page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth")


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_tool_tabs_mark_the_current_tool_and_fit(page, world, width):
    username, base, _note = world
    login(page, username)
    page.set_viewport_size(WIDTHS[width])
    page.goto(base + "tickets/1/")
    tabs = page.get_by_role("navigation", name="Tools of Tabs")
    names = [tabs.get_by_role("link").nth(i).inner_text()
             for i in range(tabs.get_by_role("link").count())]
    assert len(names) == 4
    current = tabs.locator("a[aria-current=page]")
    assert current.count() == 1 and current.get_attribute("href").endswith(base + "tickets/")
    shot(page, "tool-tabs-%s" % width)
    assert overflow(page) <= 0
    # every tab is on the screen (they wrap rather than run off it)
    screen = WIDTHS[width]["width"]
    for i in range(tabs.get_by_role("link").count()):
        box = tabs.get_by_role("link").nth(i).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= screen
    # a tab leads to its tool, which is then the current one
    tabs.locator("a[href$='%swiki/']" % base).click()
    page.wait_for_load_state()
    marked = page.get_by_role("navigation", name="Tools of Tabs").locator(
        "a[aria-current=page]")
    assert "/wiki/" in marked.get_attribute("href")


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_rendered_markdown_fits_and_links(page, world, width):
    username, base, note = world
    page.set_viewport_size(WIDTHS[width])
    page.goto(note)
    text = page.locator(".rendered").first
    boxes = text.locator("input[type=checkbox]")
    assert boxes.count() == 2
    assert boxes.nth(0).is_checked() and not boxes.nth(1).is_checked()
    assert boxes.nth(0).is_disabled() and boxes.nth(1).is_disabled()
    # named by their tasks (what a screen reader says; axe's label rule)
    assert text.get_by_role("checkbox", name="announce it").count() == 1
    assert text.locator("table th").count() == 3
    assert text.locator("a[href='https://example.org/releases/checklist']").count() == 1
    ticket = text.locator("a.ticket-ref")
    assert ticket.count() == 1 and ticket.inner_text() == "#1"
    assert ticket.get_attribute("href").endswith(base + "tickets/1/")
    assert "#99" in text.inner_text() and text.locator("a", has_text="#99").count() == 0
    mention = text.locator("a.mention")
    assert mention.count() == 1 and mention.get_attribute("href").endswith("/u/" + username)
    shot(page, "rendered-markdown-%s" % width)
    assert overflow(page) <= 0
    ticket.click()
    page.wait_for_load_state()
    assert page.url.endswith(base + "tickets/1/")
