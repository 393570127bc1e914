"""The wiki: create a page, edit it with live preview, save, view the diff;
[[links]], rename, and the page index."""
import pytest

from .conftest import login, project_url, shot

pytestmark = pytest.mark.browser


def heading(page):
    return page.get_by_role("heading", level=1).inner_text()


@pytest.fixture
def wiki_admin(page, seed):
    """A signed-in admin of a project with a wiki; yields (page, wiki url)."""
    owner = seed.user("wanda")
    project = seed.project(owner, prefix="wiki", title="Wikiville", tools=[("wiki", "wiki")])
    login(page, owner.username)
    return page, project_url(project) + "wiki/"


def save(page, name="Save"):
    with page.expect_navigation():
        page.locator("#page-form").get_by_role("button", name=name).click()


def test_wiki_create_edit_with_preview_and_diff(wiki_admin):
    page, wiki = wiki_admin
    # an empty wiki offers its home page to someone who may create it
    page.goto(wiki)
    with page.expect_navigation():
        page.locator("#create-home").get_by_role("button", name="Create “Home”").click()
    assert heading(page) == "Home"
    assert "Welcome to the wiki" in page.locator("article#page-text").inner_text()

    with page.expect_navigation():
        page.locator("nav.wiki-nav").get_by_role("link", name="New page").click()
    assert heading(page) == "New page"
    page.get_by_label("Page name", exact=True).fill("Launch Plan")
    page.get_by_label("Text", exact=False).fill("## Countdown\n\nStep one: fuel. See [[Checklist]].")
    page.get_by_label("Comment").fill("first draft")
    save(page, "Create page")
    assert page.url.endswith(wiki + "Launch%20Plan/")
    assert page.get_by_role("status").inner_text() == "Page “Launch Plan” created."
    article = page.locator("article#page-text")
    assert article.get_by_role("heading", name="Countdown").is_visible()
    missing = article.locator("a.missing")
    assert missing.inner_text() == "Checklist"
    shot(page, "wiki-page")

    # edit with the live preview
    with page.expect_navigation():
        page.get_by_role("link", name="Edit", exact=True).click()
    assert heading(page) == "Edit “Launch Plan”"
    preview = page.locator("#page-preview")
    assert preview.is_hidden()
    text = page.get_by_label("Text", exact=False)
    text.fill("## Countdown\n\nStep one: fuel.\n\nStep two: **ignite**.")
    page.get_by_role("button", name="Preview").click()
    preview.locator("strong").wait_for()
    assert preview.locator("strong").inner_text() == "ignite"
    text.fill("## Countdown\n\nStep one: fuel.\n\nStep two: *ignite* now.")
    preview.locator("em").wait_for()         # the preview follows the typing
    assert "Step two: ignite now." in preview.inner_text()
    page.get_by_label("Comment").fill("add ignition")
    shot(page, "wiki-edit")
    save(page)
    assert page.get_by_role("status").inner_text() == "Saved version 2."
    assert "Step two: ignite now." in page.locator("article#page-text").inner_text()

    # history, then the diff of the two selected versions
    with page.expect_navigation():
        page.get_by_role("link", name="History").click()
    assert heading(page) == "History of Launch Plan"
    assert page.locator("#version-table tbody tr").count() == 2
    assert "add ignition" in page.locator("#v2").inner_text()
    shot(page, "wiki-history")
    with page.expect_navigation():
        page.get_by_role("button", name="Compare selected versions").click()
    assert heading(page) == "Launch Plan: version 1 → 2"
    assert page.locator(".diff .add").filter(has_text="Step two: *ignite* now.").count() == 1
    shot(page, "wiki-diff")


def test_wiki_missing_link_creates_the_page_then_rename_and_index(wiki_admin):
    page, wiki = wiki_admin
    page.goto(wiki + "@@new")
    page.get_by_label("Page name", exact=True).fill("Start")
    page.get_by_label("Text", exact=False).fill("Go to [[Next Step]].")
    save(page, "Create page")
    with page.expect_navigation():
        page.locator("article#page-text a.missing").click()
    assert heading(page) == "New page"
    assert page.get_by_label("Page name", exact=True).input_value() == "Next Step"
    page.get_by_label("Text", exact=False).fill("arrived")
    save(page, "Create page")
    page.goto(wiki + "Start/")
    assert page.locator("article#page-text a.missing").count() == 0
    with page.expect_navigation():
        page.locator("article#page-text").get_by_role("link", name="Next Step").click()
    assert heading(page) == "Next Step"

    with page.expect_navigation():
        page.get_by_role("link", name="Rename").click()
    page.get_by_label("New page name").fill("Start/Second Step")
    with page.expect_navigation():
        page.get_by_role("button", name="Rename").click()
    assert page.url.endswith(wiki + "Start/Second%20Step/")
    page.goto(wiki + "Next%20Step/")                     # the old address still works
    assert page.url.endswith(wiki + "Start/Second%20Step/")
    page.goto(wiki + "@@index")
    index = page.locator("#page-index")
    assert index.get_by_role("link").all_inner_texts() == ["Start", "Second Step"]
    shot(page, "wiki-index")


def test_wiki_delete_with_sub_pages_undelete_and_home_setting(wiki_admin):
    """The core's tree pages under the wiki's navigation: delete a page with its
    sub-pages, find it among the deleted pages, undelete it; name another home."""
    page, wiki = wiki_admin
    for name in ("Manual", "Manual/Install"):
        page.goto(wiki + "@@new")
        page.get_by_label("Page name", exact=True).fill(name)
        save(page, "Create page")
    page.goto(wiki + "Manual/")
    with page.expect_navigation():
        page.get_by_role("button", name="Delete with its sub-pages").click()
    assert page.url.endswith(wiki + "@@index")
    assert page.get_by_role("status").inner_text() == "Deleted “Manual” and its 1 sub-pages."
    with page.expect_navigation():
        page.locator("nav.wiki-nav").get_by_role("link", name="Deleted pages").click()
    assert heading(page) == "Deleted pages"
    rows = page.locator("#deleted-pages tbody tr")
    assert rows.count() == 2
    assert "deleted with its parent" in rows.nth(1).inner_text()
    shot(page, "wiki-deleted")
    with page.expect_navigation():
        rows.nth(0).get_by_role("button", name="Undelete").click()
    assert page.url.endswith(wiki + "Manual/")
    assert page.get_by_role("status").inner_text() == "Undeleted “Manual” with 1 sub-pages."
    assert page.locator("#sub-pages").get_by_role("link").all_inner_texts() == ["Install"]

    with page.expect_navigation():
        page.locator("nav.wiki-nav").get_by_role("link", name="Settings").click()
    assert heading(page) == "Settings of Wiki"
    page.get_by_label("Home page").fill("Manual/Install")
    with page.expect_navigation():
        page.locator("#options-form").get_by_role("button", name="Save").click()
    assert page.get_by_role("status").inner_text() == "The home page is now “Manual/Install”."
    with page.expect_navigation():
        page.locator("nav.wiki-nav").get_by_role("link", name="Home").click()
    assert page.url.endswith(wiki + "Manual/Install/")
