"""The notes tool: create, edit, history, diff, revert, live preview, custom fields."""
import pytest

from .conftest import login, project_url, shot

pytestmark = pytest.mark.browser


def heading(page):
    return page.get_by_role("heading", level=1).inner_text()


@pytest.fixture
def notes_admin(page, seed):
    """A signed-in admin of a project with the notes tool; yields (page, project url)."""
    owner = seed.user("nora")
    project = seed.project(owner, prefix="notes", title="Notebook",
                           tools=[("notes", "notes")])
    login(page, owner.username)
    return page, project_url(project) + "notes/"


def save(page):
    with page.expect_navigation():
        page.locator("#note-form").get_by_role("button", name="Save").click()


def test_note_create_edit_history_diff_revert(notes_admin):
    page, tool_url = notes_admin
    page.goto(tool_url)
    assert page.get_by_text("No notes yet.").is_visible()
    with page.expect_navigation():
        page.get_by_role("link", name="New note").click()
    assert heading(page) == "New note"
    page.get_by_label("Title").fill("Launch plan")
    page.get_by_label("Text").fill("## Countdown\n\nStep one: fuel.")
    page.get_by_label("Labels").fill("space, plans")
    page.get_by_label("Comment").fill("first draft")
    shot(page, "note-new")
    with page.expect_navigation():
        page.get_by_role("button", name="Create note").click()
    # the name in the address defaults to the title
    assert page.url.endswith(tool_url + "Launch%20plan/")
    assert page.get_by_role("status").inner_text() == "Note “Launch plan” created."
    assert heading(page) == "Launch plan"
    assert page.get_by_text("version 1", exact=True).is_visible()
    article = page.locator("article#note-text")
    assert article.get_by_role("heading", name="Countdown").is_visible()
    assert "Step one: fuel." in article.inner_text()
    assert sorted(page.locator("p.labels .badge").all_inner_texts()) == ["plans", "space"]
    note_url = page.url

    # edit: version 2
    with page.expect_navigation():
        page.get_by_role("link", name="Edit", exact=True).click()
    assert heading(page) == "Edit “Launch plan”"
    assert page.get_by_label("Text").input_value() == "## Countdown\n\nStep one: fuel."
    page.get_by_label("Text").fill("## Countdown\n\nStep one: fuel.\nStep two: ignite.")
    page.get_by_label("Comment").fill("add ignition")
    shot(page, "note-edit")
    save(page)
    assert page.get_by_role("status").inner_text() == "Saved version 2."
    assert page.get_by_text("version 2", exact=True).is_visible()
    assert "Step two: ignite." in page.locator("article#note-text").inner_text()

    # history lists both versions with their comments
    with page.expect_navigation():
        page.get_by_role("link", name="History").click()
    assert heading(page) == "History of Launch plan"
    rows = page.locator("#version-table tbody tr")
    assert rows.count() == 2
    assert "add ignition" in page.locator("#v2").inner_text()
    assert "current" in page.locator("#v2").inner_text()
    assert "first draft" in page.locator("#v1").inner_text()
    shot(page, "note-history")

    # compare the two selected versions (the defaults: 1 -> 2)
    with page.expect_navigation():
        page.get_by_role("button", name="Compare selected versions").click()
    assert heading(page) == "Launch plan: version 1 → 2"
    diff = page.locator(".diff")
    assert diff.locator(".add").filter(has_text="Step two: ignite.").count() == 1
    assert diff.locator(".del").filter(has_text="Step two").count() == 0
    shot(page, "note-diff")

    # revert to version 1 makes version 3 with the old text
    page.goto(note_url + "@@history")
    with page.expect_navigation():
        page.locator("#v1").get_by_role("button", name="revert to this version").click()
    page.goto(note_url)
    assert page.get_by_text("version 3", exact=True).is_visible()
    text = page.locator("article#note-text").inner_text()
    assert "Step one: fuel." in text and "Step two" not in text
    page.goto(note_url + "@@history")
    assert page.locator("#version-table tbody tr").count() == 3
    assert "current" in page.locator("#v3").inner_text()


def test_note_live_preview_renders_markdown(notes_admin):
    page, tool_url = notes_admin
    page.goto(tool_url + "@@new")
    preview = page.locator("#note-preview")
    assert preview.is_hidden()
    page.get_by_label("Text").fill("Some **bold** words")
    page.get_by_role("button", name="Preview").click()
    preview.locator("strong").wait_for()
    assert preview.locator("strong").inner_text() == "bold"
    # once shown, the preview follows the typing
    page.get_by_label("Text").fill("Now *leaning*")
    preview.locator("em").wait_for()
    assert preview.inner_text().strip() == "Now leaning"
    shot(page, "note-preview")


def test_note_refusal_shows_field_message_and_keeps_input(notes_admin):
    page, tool_url = notes_admin
    page.goto(tool_url + "@@new")
    page.get_by_label("Title").fill("Slashes")
    page.get_by_label("Name in the address").fill("a/b")
    page.get_by_label("Text").fill("kept text")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Create note").click()
    assert navigation.value.status == 400
    assert page.locator("#form-error").inner_text() == \
        "The note was not saved; see the messages below."
    assert page.locator("#error-name").is_visible()
    assert page.get_by_label("Text").input_value() == "kept text"


def test_custom_select_field_admin_and_use(notes_admin):
    page, tool_url = notes_admin
    page.goto(tool_url)
    with page.expect_navigation():
        page.get_by_role("link", name="Fields").click()
    assert heading(page) == "Custom fields of Notes"
    assert page.get_by_text("No custom fields yet.").is_visible()
    page.get_by_label("Name", exact=True).fill("priority")
    page.get_by_label("Label", exact=True).fill("Priority")
    page.get_by_label("Type").select_option("select")
    page.get_by_label("Options").fill("low\nhigh")
    with page.expect_navigation():
        page.get_by_role("button", name="Add field").click()
    assert page.get_by_role("status").inner_text() == "Added the field “Priority”."
    row = page.locator("#field-priority")
    assert row.inner_text().split("\t")[:5] == ["priority", "Priority", "select", "no", "low, high"]
    shot(page, "fields-admin")

    # the note form now offers the field, and the note shows the value
    page.goto(tool_url + "@@new")
    page.get_by_label("Title").fill("Triage")
    select = page.get_by_label("Priority")
    assert select.locator("option").all_inner_texts() == ["—", "low", "high"]
    select.select_option("high")
    with page.expect_navigation():
        page.get_by_role("button", name="Create note").click()
    assert heading(page) == "Triage"
    assert page.locator("tr.field-priority").inner_text().split("\t") == ["Priority", "high"]
    shot(page, "note-with-custom-field")

    # editing keeps the chosen value selected
    page.get_by_role("link", name="Edit", exact=True).click()
    assert page.get_by_label("Priority").input_value() == "high"


def test_two_editors_the_second_save_gets_the_conflict_page(new_page, seed):
    owner = seed.user("olaf")
    dev = seed.user("pam")
    project = seed.project(owner, prefix="clash", tools=[("notes", "notes")])
    seed.member(project, "Developer", dev)
    note_url = seed.note(project, "notes", "Shared", text="line one")

    first, second = new_page(), new_page()
    login(first, owner.username)
    login(second, dev.username)
    first.goto(note_url + "@@edit")
    second.goto(note_url + "@@edit")

    first.get_by_label("Text").fill("line one\nfrom the owner")
    save(first)
    assert first.get_by_role("status").inner_text() == "Saved version 2."

    second.get_by_label("Text").fill("line one\nfrom the developer")
    with second.expect_navigation() as navigation:
        second.locator("#note-form").get_by_role("button", name="Save").click()
    assert navigation.value.status == 409
    assert second.get_by_role("heading", level=1).inner_text() == \
        "Not saved: someone else saved first"
    their = second.locator(".diff .add").all_inner_texts()
    assert "+from the owner" in their
    # what the developer typed is offered back, not lost
    assert "line one\nfrom the developer" in second.locator("#your-text ~ div textarea") \
        .evaluate_all("areas => areas.map(a => a.value)")
    shot(second, "note-conflict")
    second.get_by_role("link", name="Open the current version").click()
    assert "from the owner" in second.locator("article#note-text").inner_text()


def test_sub_note_and_version_page(notes_admin):
    page, tool_url = notes_admin
    page.goto(tool_url + "@@new")
    page.get_by_label("Title").fill("Parent")
    page.get_by_label("Text").fill("first words")
    with page.expect_navigation():
        page.get_by_role("button", name="Create note").click()
    parent_url = page.url
    with page.expect_navigation():
        page.get_by_role("link", name="New sub-note").click()
    assert heading(page) == "New note under “Parent”"
    page.get_by_label("Title").fill("Child")
    with page.expect_navigation():
        page.get_by_role("button", name="Create note").click()
    assert page.url == parent_url + "Child/"
    assert page.locator("nav.breadcrumbs").get_by_role("link", name="Parent").is_visible()

    page.goto(parent_url)
    assert page.locator("#sub-notes").get_by_role("link", name="Child").is_visible()
    with page.expect_navigation():
        page.get_by_role("link", name="Edit", exact=True).click()
    page.get_by_label("Text").fill("second words")
    save(page)
    page.goto(parent_url + "@@history")
    with page.expect_navigation():
        page.locator("#v1").get_by_role("link", name="view").click()
    assert heading(page) == "Parent version 1"
    snapshot = page.locator("#snapshot").inner_text()
    assert "first words" in snapshot and "second words" not in snapshot
    assert page.get_by_role("link", name="Diff with current").is_visible()
    shot(page, "note-version")


def test_delete_a_note(notes_admin):
    page, tool_url = notes_admin
    page.goto(tool_url + "@@new")
    page.get_by_label("Title").fill("Doomed")
    with page.expect_navigation():
        page.get_by_role("button", name="Create note").click()
    note_url = page.url
    page.get_by_role("link", name="Edit", exact=True).click()
    with page.expect_navigation():
        page.get_by_role("button", name="Delete this note").click()
    assert page.url.endswith(tool_url)
    assert page.get_by_role("status").inner_text() == "Note “Doomed” deleted."
    assert page.locator("#note-list").get_by_role("link", name="Doomed").count() == 0
    assert page.goto(note_url).status == 404
