"""Activity in a browser: the project home's recent activity and @@activity,
written by the forge.activity reactor; a private note's title stays hidden."""
import pytest

from .conftest import login, project_url, shot

pytestmark = pytest.mark.browser


def private_note(seed, project, mount, title):
    from forge.model import Project, ToolInstance, User, session
    from forge.actions.roles import role_named
    from tools.notes.actions import create_note
    project = Project.query.get(_id=project._id)
    tool = ToolInstance.query.get(project_id=project._id, mount=mount)
    author = User.query.get(_id=role_named(project, "Admin").user_ids[0])
    create_note(seed.registry, project, tool, None, "secret",
                {"title": title, "text": "", "labels": [], "custom": {}, "ext": {}},
                author, private=True)
    session.close()


def test_recent_activity_on_the_home_page_and_the_activity_page(run_reactors, page, new_page, seed,
                                                               live_registry):
    owner = seed.user("act")
    project = seed.project(owner, prefix="act", title="Busy Project",
                           tools=[("notes", "notes")])
    for i in range(11):
        seed.note(project, "notes", "Note %02d" % i, text="text %d" % i)
    private_note(seed, project, "notes", "Hidden Agenda")
    run_reactors()

    # an anonymous visitor: ten newest readable entries, no private title
    page.goto(project_url(project))
    recent = page.locator("#recent-activity")
    assert recent.get_by_role("heading", name="Recent activity").is_visible()
    assert recent.locator("li.activity-entry").count() == 10
    assert "Hidden Agenda" not in page.content()
    assert recent.get_by_role("link", name="Note 10").is_visible()
    shot(page, "activity-home")

    # keyboard: the "All activity" link leads to the full list
    link = recent.get_by_role("link", name="All activity")
    link.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_role("heading", level=1).inner_text() == "Activity"
    entries = page.locator("li.activity-entry")
    assert entries.count() == 13          # 11 notes, the tool, the project
    assert "Hidden Agenda" not in page.content()
    shot(page, "activity-page")

    # the owner reads the private note, so its entry is listed for them
    admin = login(new_page(), owner.username)
    admin.goto(project_url(project) + "@@activity")
    assert admin.get_by_role("link", name="Hidden Agenda").is_visible()
    with admin.expect_navigation():
        admin.get_by_role("link", name="Note 05").click()
    assert admin.get_by_role("heading", level=1).inner_text() == "Note 05"
