"""The discussion tool in a real browser: an admin makes a forum and starts a
thread, a member replies to the opening post; screenshots of the tool page,
the forum and the thread."""
import pytest

from .conftest import login, project_url, shot

pytestmark = pytest.mark.browser


def heading(page):
    return page.get_by_role("heading", level=1).inner_text()


def test_post_in_a_forum_and_reply(new_page, seed, live_registry):
    owner = seed.user("fora")
    member = seed.user("forb")
    project = seed.project(owner, prefix="forum", title="Forum project",
                           tools=[("discussion", "discussion")])
    seed.member(project, "Member", member)
    tool_url = project_url(project) + "discussion/"

    page = login(new_page(), owner.username)
    page.goto(tool_url)
    with page.expect_navigation():
        page.get_by_role("link", name="New forum").first.click()
    assert heading(page) == "New forum"
    page.get_by_label("Title").fill("Help and questions")
    page.get_by_label("Short name").fill("help")
    page.get_by_label("Description").fill("Ask anything about the project.")
    with page.expect_navigation():
        page.get_by_role("button", name="Create forum").click()
    assert heading(page) == "Help and questions"

    with page.expect_navigation():
        page.get_by_role("link", name="New thread").click()
    page.get_by_label("Subject").fill("How do I build it?")
    page.get_by_label("Message").fill("I ran `make` and got **nothing**.")
    shot(page, "discussion-new-thread")
    with page.expect_navigation():
        page.get_by_role("button", name="Start thread").click()
    assert heading(page) == "How do I build it?"
    assert page.locator("article.post strong").inner_text() == "nothing"
    thread_url = page.url

    # a member replies to the opening post through its Reply form
    other = login(new_page(), member.username)
    other.goto(thread_url)
    opening = other.locator("article.post").first
    opening.locator("summary", has_text="Reply").click()
    opening.get_by_label("Your reply").fill("Run `make setup` first.")
    with other.expect_navigation():
        opening.get_by_role("button", name="Post reply").click()
    reply = other.locator("article.post article.post")
    assert reply.count() == 1 and "make setup" in reply.inner_text()
    shot(other, "discussion-thread")

    # the admin moderates: makes the thread sticky and locks it, from the keyboard
    page.goto(thread_url)
    page.get_by_role("button", name="Make sticky").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    with page.expect_navigation():
        page.get_by_role("button", name="Lock").click()
    assert page.locator("#discussion-locked").is_visible()
    assert page.locator(".badge.sticky").first.is_visible()
    shot(page, "discussion-thread-moderator")

    # the list counters come from the discussion reactors (workers in `forge serve`)
    from forge.bus.worker import ReactorWorker
    from forge.model import session
    for name in ("discussion.general-forum", "discussion.counters"):
        ReactorWorker(live_registry, live_registry.forge_reactors[name]).run_until_idle(
            idle_seconds=0.1)
    session.close()
    page.goto(tool_url + "help/")
    assert page.get_by_role("link", name="How do I build it?").is_visible()
    shot(page, "discussion-forum")
    page.goto(tool_url)
    assert page.get_by_role("link", name="Help and questions").is_visible()
    assert page.locator("#forum-list tbody td.number").all_inner_texts() == ["1", "2"]
    shot(page, "discussion-tool")


def test_an_anonymous_reader_is_sent_to_sign_in_and_back_to_start_a_thread(new_page, seed):
    from forge.testing import PASSWORD
    owner = seed.user("forc")
    member = seed.user("ford")
    project = seed.project(owner, prefix="forum", tools=[("discussion", "discussion")])
    seed.member(project, "Member", member)
    page = login(new_page(), owner.username)
    page.goto(project_url(project) + "discussion/")
    with page.expect_navigation():
        page.get_by_role("link", name="New forum").first.click()
    page.get_by_label("Title").fill("General")
    page.get_by_label("Short name").fill("general")
    with page.expect_navigation():
        page.get_by_role("button", name="Create forum").click()
    forum_url = page.url

    reader = new_page()
    reader.goto(forum_url)
    with reader.expect_navigation():
        reader.get_by_role("link", name="New thread").click()
    assert "@@login" in reader.url
    reader.get_by_label("Username").fill(member.username)
    reader.get_by_label("Password").fill(PASSWORD)
    with reader.expect_navigation():
        reader.get_by_role("button", name="Sign in").click()
    assert reader.url == forum_url + "@@new"
    assert heading(reader) == "New thread in “General”"
