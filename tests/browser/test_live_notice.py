"""The page tells its reader when someone else changed it (forge:static/live.js
polling @@changes), and says nothing about the reader's own changes."""
import pytest

from .conftest import login, project_url, shot

pytestmark = pytest.mark.browser


def test_a_note_page_announces_another_persons_edit(page, new_page, seed, live_registry,
                                                     monkeypatch):
    monkeypatch.setitem(live_registry.settings, "forge.live.poll_seconds", "1")
    owner, editor = seed.user("lina"), seed.user("otto")
    project = seed.project(owner, prefix="live", tools=[("notes", "notes")])
    seed.member(project, "Developer", editor)
    url = seed.note(project, "notes", "Shared plan", text="first words")
    login(page, owner.username)
    page.goto(url)
    notice = page.locator("#live-notice")
    assert notice.is_hidden()
    # another person, in another browser, edits the note
    other = new_page()
    login(other, editor.username)
    other.goto(url + "@@edit")
    other.get_by_label("Text").fill("second words")
    with other.expect_navigation():
        other.get_by_role("button", name="Save").click()
    notice.wait_for(state="visible", timeout=5000)
    assert "1 new change by %s" % editor.username in notice.inner_text()
    shot(page, "live-notice")
    with page.expect_navigation():
        notice.get_by_role("link", name="Show them").click()
    assert "second words" in page.content()
    assert page.locator("#live-notice").is_hidden()


def test_my_own_edit_is_not_announced_to_me(page, seed, live_registry, monkeypatch):
    monkeypatch.setitem(live_registry.settings, "forge.live.poll_seconds", "1")
    owner = seed.user("mira")
    project = seed.project(owner, prefix="live", tools=[("notes", "notes")])
    url = seed.note(project, "notes", "Own plan", text="first")
    login(page, owner.username)
    page.goto(url + "@@edit")
    page.get_by_label("Text").fill("changed by me")
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    with page.expect_response(lambda r: "@@changes?after=" in r.url, timeout=5000):
        pass
    assert page.locator("#live-notice").is_hidden()


def test_a_ticket_shows_another_persons_comment_in_place(page, new_page, seed, live_registry,
                                                         monkeypatch):
    """The comments and fields update where they are; what the reader is
    typing in the comment form stays, and the page is not reloaded."""
    from forge.model import Project, ToolInstance, User, session
    from tools.tracker.actions import create_ticket
    monkeypatch.setitem(live_registry.settings, "forge.live.poll_seconds", "1")
    owner, other_user = seed.user("tia"), seed.user("uli")
    project = seed.project(owner, prefix="live", tools=[("tracker", "tickets")])
    seed.member(project, "Developer", other_user)
    tool = ToolInstance.query.get(project_id=project._id, mount="tickets")
    create_ticket(live_registry, Project.query.get(_id=project._id), tool, {
        "title": "Engine stalls", "description": "", "labels": [], "custom": {},
        "ext": {}}, User.query.get(_id=owner._id))
    session.close()
    url = project_url(project) + "tickets/1/"
    login(page, owner.username)
    page.goto(url)
    page.evaluate("window.notReloaded = true")
    page.get_by_label("Add a comment").fill("half a thought")
    other = new_page()
    login(other, other_user.username)
    other.goto(url)
    other.get_by_label("Add a comment").fill("Seen it too, on the **second** try.")
    with other.expect_navigation():
        other.get_by_role("button", name="Post comment").click()
    notice = page.locator("#live-notice")
    notice.wait_for(state="visible", timeout=5000)
    assert "shown on this page" in notice.inner_text()
    assert "on the second try" in page.locator("#ticket-timeline").inner_text()
    assert page.get_by_label("Add a comment").input_value() == "half a thought"
    assert page.evaluate("window.notReloaded") is True
    shot(page, "live-in-place")
