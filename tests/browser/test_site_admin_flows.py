"""Project and abuse administration in a real browser: a project admin renames
and moves a project from its "Rename, move, delete" page and the old address
leads to the new one; a site admin reaches a deleted project's page and
undeletes it; a site admin disables an account as spam and its page vanishes
for others until it is marked "not spam"."""
import pytest

from .conftest import login, shot

pytestmark = pytest.mark.browser


def test_a_project_admin_renames_and_moves_a_project(page, seed):
    owner = seed.user("mover")
    home = seed.project(owner, prefix="home", title="Home project")
    project = seed.project(owner, prefix="box", title="Box project")
    login(page, owner.username)
    page.goto("/p/%s/" % project.shortname)
    with page.expect_navigation():
        page.get_by_role("link", name="Rename, move, delete").click()
    shot(page, "project-manage")
    page.get_by_label("Short name").fill(project.shortname + "-x")
    with page.expect_navigation():
        page.get_by_role("button", name="Rename or move").click()
    assert "the old address leads there" in page.get_by_role("status").first.inner_text()
    renamed = project.shortname + "-x"
    # under another project of the same admin, then the old address redirects
    page.get_by_label("Parent project").fill(home.shortname)
    with page.expect_navigation():
        page.get_by_role("button", name="Rename or move").click()
    page.goto("/p/%s/" % project.shortname)
    assert page.url.endswith("/p/%s/%s/" % (home.shortname, renamed))
    assert page.get_by_role("heading", level=1).inner_text().startswith("Box project")
    # never under itself
    page.goto("/p/%s/@@manage" % home.shortname)
    page.get_by_label("Parent project").fill("%s/%s" % (home.shortname, renamed))
    with page.expect_navigation():
        page.get_by_role("button", name="Rename or move").click()
    assert "under itself" in page.locator("#manage-error").inner_text()


def test_a_site_admin_undeletes_a_deleted_project_from_its_page(page, seed):
    root = seed.user("chief", site_admin=True)
    owner = seed.user("gone")
    project = seed.project(owner, prefix="lost", title="Lost project")
    login(page, owner.username)
    page.goto("/p/%s/@@manage" % project.shortname)
    page.get_by_label("Type").fill(project.shortname)
    with page.expect_navigation():
        page.get_by_role("button", name="Delete").click()
    # its own admin still reaches it to undelete it (not to purge it) ...
    page.goto("/p/%s/" % project.shortname)
    assert page.locator("#undelete-project-form").count() == 1
    assert page.locator("#purge-project-form").count() == 0
    page.context.clear_cookies()
    # ... everyone else gets not found
    assert page.request.get("/p/%s/" % project.shortname).status == 404
    login(page, root.username)
    page.goto("/p/%s/" % project.shortname)
    assert "deleted" in page.get_by_role("heading", level=1).inner_text()
    shot(page, "deleted-project")
    with page.expect_navigation():
        page.get_by_role("button", name="Undelete").click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Lost project")


def test_a_site_admin_disables_an_account_as_spam_and_takes_it_back(page, seed, new_page):
    root = seed.user("warden", site_admin=True)
    owner = seed.user("host")
    spammer = seed.user("spamr")
    project = seed.project(owner, prefix="open", tools=(("notes", "notes"),))
    url = seed.note(project, "notes", "Cheap offers", text="Spamtext", author=spammer)
    login(page, root.username)
    page.goto("/@@admin-users?q=" + spammer.username)
    row = page.locator("#user-%s" % spammer.username)
    with page.expect_navigation():
        row.get_by_role("button", name="Mark as spam").click()
    assert "hid 1 artifacts" in page.get_by_role("status").first.inner_text()
    shot(page, "site-admin-spam")
    other = new_page()
    login(other, owner.username)
    assert other.request.get(url).status == 404
    assert page.request.get(url).status == 200          # site admins still see it
    with page.expect_navigation():
        page.locator("#user-%s" % spammer.username).get_by_role(
            "button", name="Not spam: enable and show their content").click()
    assert other.request.get(url).status == 200
