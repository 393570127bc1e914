"""Site administration in a real browser: from the header to the users,
projects, banner and audit log pages."""
import urllib.error
import urllib.request

import pytest

from .conftest import login, project_url, shot


def anonymous_status(base_url, path):
    """The status a visitor without cookies gets."""
    try:
        return urllib.request.urlopen(base_url + path, timeout=10).status
    except urllib.error.HTTPError as error:
        return error.code

pytestmark = pytest.mark.browser


def test_a_site_admin_disables_a_user_deletes_a_project_and_sets_a_banner(page, seed, base_url):
    root = seed.user("boss", site_admin=True)
    spammer = seed.user("spam")
    owner = seed.user("own")
    project = seed.project(owner, prefix="junk", title="Junk project")
    login(page, root.username)
    page.goto("/")
    with page.expect_navigation():
        page.get_by_role("link", name="Site admin").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Site administration"
    shot(page, "site-admin")

    with page.expect_navigation():
        page.get_by_role("navigation", name="Site administration").get_by_role(
            "link", name="Users").click()
    page.get_by_label("Find users").fill(spammer.username)
    with page.expect_navigation():
        page.get_by_role("button", name="Find").click()
    row = page.locator("#user-%s" % spammer.username)
    with page.expect_navigation():
        row.get_by_role("button", name="Disable", exact=True).click()
    assert "Disabled %s" % spammer.username in page.get_by_role("status").first.inner_text()
    assert page.locator("#user-%s" % spammer.username).get_by_text("disabled").is_visible()
    shot(page, "site-admin-users")

    page.goto("/@@admin-projects?q=" + project.shortname)
    row = page.locator("#project-%s" % project._id)
    row.get_by_role("textbox").fill(project.shortname)
    with page.expect_navigation():
        row.get_by_role("button", name="Delete").click()
    assert "Deleted %s" % project.shortname in page.get_by_role("status").first.inner_text()
    # gone for everyone else; its site admin still reaches it, to undelete it
    assert anonymous_status(base_url, project_url(project)) == 404
    assert page.request.get(project_url(project)).status == 200
    with page.expect_navigation():
        page.locator("#project-%s" % project._id).get_by_role("button", name="Undelete").click()
    assert anonymous_status(base_url, project_url(project)) == 200

    page.goto("/@@admin")
    page.get_by_label("Banner text").fill("Upgrade tonight at 22:00 UTC")
    with page.expect_navigation():
        page.get_by_role("button", name="Save the banner").click()
    assert page.locator("#site-banner").inner_text() == "Upgrade tonight at 22:00 UTC"
    page.get_by_label("Banner text").fill("")
    with page.expect_navigation():
        page.get_by_role("button", name="Save the banner").click()
    assert page.locator("#site-banner").count() == 0

    page.goto("/@@admin-audit")
    page.get_by_label("Who").fill(root.username)
    with page.expect_navigation():
        page.get_by_role("button", name="Filter").click()
    log = page.locator("#audit-list").inner_text()
    assert "disabled the account" in log and "set the banner" in log
    shot(page, "site-admin-audit")
