"""Comment threads in a real browser, on the ``topics`` fixture tool of
``tests/discussion``: a member comments, an admin replies with the keyboard,
an outsider's post waits in the moderation queue until approved.

The fixture tool is not part of the session's forge, so this module serves
its own forge (same in-memory database, one more tool) and points the
conftest's ``base_url``/``live_registry`` at it.
"""
import pytest

from .conftest import login, own_forge, project_url, shot

pytestmark = pytest.mark.browser


forge_server, base_url, live_registry = own_forge(
    "forge-comments-server", **{"forge.tools": "tests.discussion.fixture_tool"})


def make_topic(registry, project, title):
    from forge.actions.roles import role_named
    from forge.actions.versions import create_versioned
    from forge.model import Project, ToolInstance, User, session
    from tests.discussion.fixture_tool import Topic
    project = Project.query.get(_id=project._id)
    tool = ToolInstance.query.get(project_id=project._id, mount="topics")
    author = User.query.get(_id=role_named(project, "Admin").user_ids[0])
    create_versioned(registry, Topic, author, path="release", project_id=project._id,
                     tool_id=tool._id, title=title, text="When do we ship?", acl=[])
    session.close()
    return project_url(project) + "topics/release/"


def test_comment_reply_and_moderate(new_page, seed, live_registry):
    owner = seed.user("coma")
    member = seed.user("comb")
    outsider = seed.user("comc")
    project = seed.project(owner, prefix="comments", tools=[("topics", "topics")])
    seed.member(project, "Member", member)
    url = make_topic(live_registry, project, "Release plan")

    # a member comments (Markdown rendered)
    page = login(new_page(), member.username)
    page.goto(url)
    assert page.get_by_role("heading", name="Comments").is_visible()
    page.get_by_label("Add a comment").fill("I think **Friday** works.")
    with page.expect_navigation():
        page.get_by_role("button", name="Post comment").click()
    assert page.get_by_role("status").first.inner_text() == "Your comment is posted."
    first = page.locator("article.post").first
    assert first.locator("strong").inner_text() == "Friday"

    # the admin replies, opening the reply form from the keyboard
    admin = login(new_page(), owner.username)
    admin.goto(url)
    post = admin.locator("article.post").first
    post.locator("summary", has_text="Reply").focus()
    admin.keyboard.press("Enter")
    reply_box = post.get_by_label("Your reply")
    assert reply_box.is_visible()
    reply_box.fill("Friday it is.")
    with admin.expect_navigation():
        post.get_by_role("button", name="Post reply").click()
    nested = admin.locator("article.post article.post")
    assert nested.count() == 1 and "Friday it is." in nested.inner_text()
    assert admin.locator("#discussion-count").inner_text() == "(2)"
    assert "#post-" in admin.url
    shot(admin, "comments-thread")

    # an outsider's comment waits for a moderator
    stranger = login(new_page(), outsider.username)
    stranger.goto(url)
    stranger.get_by_label("Add a comment").fill("Can I help test?")
    with stranger.expect_navigation():
        stranger.get_by_role("button", name="Post comment").click()
    assert "waits for a moderator" in stranger.get_by_role("status").first.inner_text()
    assert stranger.locator(".badge.pending").is_visible()
    page.goto(url)
    assert "Can I help test?" not in page.locator("#discussion").inner_text()

    # the admin approves it from the tool's moderation queue
    admin.goto(url)
    with admin.expect_navigation():
        admin.get_by_role("link", name="Moderation queue").click()
    assert "Can I help test?" in admin.locator("#section-pending").inner_text()
    shot(admin, "comments-moderation")
    with admin.expect_navigation():
        admin.get_by_role("button", name="Approve").click()
    assert "Nothing here." in admin.locator("#section-pending").inner_text()
    page.goto(url)
    assert "Can I help test?" in page.locator("#discussion").inner_text()
    assert page.locator("#discussion-count").inner_text() == "(3)"
