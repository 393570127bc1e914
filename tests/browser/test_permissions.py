"""The permissions page of a project and of a note: add a deny entry, see it, remove it."""
import pytest

from .conftest import login, project_url, shot

pytestmark = pytest.mark.browser


def open_acl(page):
    """Open the page's advanced section (the raw entries and their form)."""
    if page.locator("#advanced-acl").get_attribute("open") is None:
        page.locator("#advanced-acl > summary").click()


def add_deny_entry(page, username, permission):
    open_acl(page)
    form = page.locator("#add-entry")
    form.get_by_label("Access").select_option("deny")
    form.get_by_label("…or a username").fill(username)
    form.get_by_label("Permission").select_option(permission)
    with page.expect_navigation():
        form.get_by_role("button", name="Add entry").click()
    assert page.get_by_role("status").inner_text() == "Added the entry."


def local_rows(page):
    return page.locator("#acl-table tbody tr.local")


def remove_entry(page, row):
    open_acl(page)
    with page.expect_navigation():
        row.get_by_role("button", name="Remove").click()
    assert page.get_by_role("status").inner_text() == "Removed the entry."


def test_project_permissions_add_and_remove_a_deny_entry(new_page, seed):
    owner = seed.user("wes")
    outsider = seed.user("xena")
    project = seed.project(owner, prefix="perm", title="Guarded")
    page = new_page()
    login(page, owner.username)
    page.goto(project_url(project))
    with page.expect_navigation():
        page.locator("#project-admin-links").get_by_role("link", name="Permissions").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Permissions of Guarded"
    open_acl(page)
    # the project's own entries, then the inherited ones, with their origin
    assert local_rows(page).filter(has_text="Admin (%s)" % project.shortname).count() == 1
    assert page.locator("#acl-table tr.inherited").filter(has_text="inherited from").count() > 0

    add_deny_entry(page, outsider.username, "read")
    row = local_rows(page).filter(has_text=outsider.username)
    assert row.count() == 1
    assert row.locator("td").all_inner_texts()[:4] == ["deny", outsider.username, "read", "local"]
    # it is evaluated first: the deny comes before the Everyone/read entry
    assert "deny" in local_rows(page).first.inner_text()
    shot(page, "permissions-project")

    # the outsider now gets the not-found page for this public project
    other = new_page()
    login(other, outsider.username)
    response = other.goto(project_url(project))
    assert response.status == 404
    assert other.get_by_role("alert").inner_text() == \
        "There is nothing here, or you may not see it."

    # the check form explains it
    page.get_by_label("Username", exact=True).fill(outsider.username)
    page.locator("#check-form").get_by_label("Permission").select_option("read")
    with page.expect_navigation():
        page.get_by_role("button", name="Check").click()
    assert page.locator("#check-result").inner_text().startswith(
        "Denied. %s may not read here: an entry on this project denies %s read."
        % (outsider.username, outsider.username))

    remove_entry(page, local_rows(page).filter(has_text=outsider.username))
    assert local_rows(page).filter(has_text=outsider.username).count() == 0
    assert other.goto(project_url(project)).status == 200


def test_note_permissions_add_and_remove_a_deny_entry(new_page, seed):
    owner = seed.user("yara")
    reader = seed.user("zed")
    project = seed.project(owner, prefix="noteperm", title="Secrets",
                           tools=[("notes", "notes")])
    note_url = seed.note(project, "notes", "Recipe", text="Two eggs.")
    page = new_page()
    login(page, owner.username)
    page.goto(note_url)
    with page.expect_navigation():
        page.locator("main").get_by_role("link", name="Permissions").click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Permissions of Recipe")
    open_acl(page)
    # entries from the tool and the project are listed as inherited
    inherited = page.locator("#acl-table tr.inherited")
    assert inherited.filter(has_text="Notes").count() > 0
    assert inherited.filter(has_text="Secrets").count() > 0

    add_deny_entry(page, reader.username, "read")
    row = local_rows(page).filter(has_text=reader.username)
    assert row.locator("td").all_inner_texts()[:4] == ["deny", reader.username, "read", "local"]
    shot(page, "permissions-note")

    other = new_page()
    login(other, reader.username)
    assert other.goto(note_url).status == 404
    # the rest of the project stays readable for them
    assert other.goto(project_url(project)).status == 200

    remove_entry(page, local_rows(page).filter(has_text=reader.username))
    assert local_rows(page).filter(has_text=reader.username).count() == 0
    assert other.goto(note_url).status == 200
    assert "Two eggs." in other.locator("article#note-text").inner_text()
