"""Activity streams and Atom feeds in a browser: a tool's and a note's stream
reached from their pages by keyboard, a person's from the profile, the feed
links the pages announce, and the feed token on the account page (a new one
turns the old feed address away)."""
import pytest

from .conftest import login, project_url, shot

pytestmark = pytest.mark.browser


def private_note(seed, project, mount, title):
    from forge.actions.roles import role_named
    from forge.model import Project, ToolInstance, User, session
    from tools.notes.actions import create_note
    project = Project.query.get(_id=project._id)
    tool = ToolInstance.query.get(project_id=project._id, mount=mount)
    author = User.query.get(_id=role_named(project, "Admin").user_ids[0])
    create_note(seed.registry, project, tool, None, "secret",
                {"title": title, "text": "", "labels": [], "custom": {}, "ext": {}},
                author, private=True)
    session.close()


def test_streams_from_tool_note_and_profile_pages(run_reactors, page, seed, live_registry, base_url):
    owner = seed.user("feeder")
    project = seed.project(owner, prefix="feeds", title="Feed Project",
                           tools=[("notes", "notes")])
    sub = seed.project(owner, prefix="feedsub", title="Feed Sub", parent=project,
                       tools=[("notes", "notes")])
    seed.note(project, "notes", "Top Note", text="top")
    seed.note(sub, "notes", "Sub Note", text="sub")
    private_note(seed, project, "notes", "Quiet Plans")
    run_reactors()

    # the project's stream holds its subproject's news and announces its feed
    page.goto(project_url(project) + "@@activity")
    assert page.get_by_role("link", name="Sub Note").is_visible()
    assert "Quiet Plans" not in page.content()
    alternate = page.locator('link[rel="alternate"][type="application/atom+xml"]')
    assert alternate.get_attribute("href") == base_url + project_url(project) + "@@activity.atom"
    feed = page.request.get(alternate.get_attribute("href"))
    assert feed.status == 200 and feed.headers["content-type"].startswith("application/atom+xml")
    assert "Top Note" in feed.text() and "Sub Note" in feed.text()
    assert "Quiet Plans" not in feed.text()

    # keyboard: from the note's page to the note's own stream
    page.goto(project_url(project) + "notes/top-note/")
    link = page.get_by_role("link", name="Activity of Top Note", exact=True)
    link.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_role("heading", level=1).inner_text() == "Activity in Top Note"
    assert page.locator("li.activity-entry").count() == 1
    shot(page, "activity-note-stream")

    # the tool's stream, from the tool page
    page.goto(project_url(project) + "notes/")
    with page.expect_navigation():
        page.get_by_role("link", name="Activity of Notes", exact=True).click()
    assert page.get_by_role("link", name="Top Note").is_visible()
    assert "Sub Note" not in page.content()

    # a person's activity from the profile
    page.goto("/u/%s/@@profile" % owner.username)
    with page.expect_navigation():
        page.get_by_role("link", name="What %s did" % owner.username).click()
    assert page.get_by_role("link", name="Sub Note").is_visible()
    assert "Quiet Plans" not in page.content()
    shot(page, "activity-person")


def test_feed_token_on_the_account_page(run_reactors, page, seed, live_registry, base_url):
    owner = seed.user("tokener")
    project = seed.project(owner, prefix="tokfeed", title="Token Feed",
                           tools=[("notes", "notes")])
    private_note(seed, project, "notes", "Members Only Memo")
    run_reactors()
    feed_url = base_url + project_url(project) + "@@activity.atom"
    assert "Members Only Memo" not in page.request.get(feed_url).text()

    login(page, owner.username)
    page.goto("/@@account")
    token_box = page.get_by_label("Your feed token")
    old = token_box.input_value()
    shot(page, "account-feed-token")
    # a feed reader with the token (no session) sees the private note
    reader = page.context.browser.new_context()
    try:
        with_token = reader.request.get(feed_url + "?token=" + old)
        assert with_token.status == 200 and "Members Only Memo" in with_token.text()
        # a new token (keyboard) turns the old address away
        button = page.get_by_role("button", name="Make a new feed token")
        button.focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.get_by_role("status").filter(has_text="feed token is new").is_visible()
        new = page.get_by_label("Your feed token").input_value()
        assert new != old
        assert reader.request.get(feed_url + "?token=" + old).status == 403
        assert "Members Only Memo" in reader.request.get(feed_url + "?token=" + new).text()
    finally:
        reader.close()
