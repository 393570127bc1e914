"""Projects: the create forms, the home page, settings, tools and roles admin."""
import pytest

from .conftest import login, project_url, shot

pytestmark = pytest.mark.browser


def main(page):
    return page.locator("main")


def heading(page):
    return page.get_by_role("heading", level=1).inner_text()


def test_create_a_project_and_a_subproject_through_the_forms(page, seed):
    owner = seed.user("olga")
    name = seed.name("rocket")
    login(page, owner.username)
    page.goto("/")
    with page.expect_navigation():
        main(page).get_by_role("link", name="New project").click()
    assert heading(page) == "New project"
    page.get_by_label("Short name").fill(name)
    page.get_by_label("Title").fill("Rocket Science")
    page.get_by_label("Description").fill("We build rockets.\nSmall ones.")
    shot(page, "project-create-form")
    with page.expect_navigation():
        page.get_by_role("button", name="Create").click()
    assert page.url.endswith("/p/%s/" % name)
    assert heading(page) == "Rocket Science"
    description = page.locator("#project-description").inner_text()
    assert "We build rockets." in description and "Small ones." in description
    # the creator is the project's admin
    members = page.locator("#member-list")
    assert members.locator("dt").first.inner_text() == "Admin"
    assert members.get_by_role("link", name=owner.username).is_visible()

    with page.expect_navigation():
        page.locator("#project-admin-links").get_by_role("link", name="New subproject").click()
    assert heading(page) == "New subproject of Rocket Science"
    page.get_by_label("Short name").fill("engines")
    page.get_by_label("Title").fill("Engines")
    page.get_by_label("Private").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Create").click()
    assert page.url.endswith("/p/%s/engines/" % name)
    assert heading(page) == "Engines"
    assert page.locator("main .badge.private").inner_text() == "private"
    assert page.locator("#project-nav").get_by_role("link", name="Rocket Science").is_visible()
    shot(page, "subproject-home")

    with page.expect_navigation():
        page.locator("#project-nav").get_by_role("link", name="Rocket Science").click()
    subprojects = page.locator("#subproject-list")
    assert subprojects.get_by_role("link", name="Engines").is_visible()


def test_create_project_refusal_keeps_the_input(page, seed):
    owner = seed.user("pia")
    taken = seed.project(owner, prefix="taken")
    login(page, owner.username)
    page.goto("/p/@@create")
    page.get_by_label("Short name").fill(taken.shortname)
    page.get_by_label("Title").fill("Another title")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Create").click()
    assert navigation.value.status == 400
    assert page.get_by_role("alert").inner_text() == "The short name %r is taken." % taken.shortname
    assert page.get_by_label("Title").input_value() == "Another title"
    shot(page, "project-create-refused")


def test_project_home_shows_tools_subprojects_and_members(new_page, seed):
    owner = seed.user("quinn")
    dev = seed.user("rita")
    project = seed.project(owner, prefix="home", title="Home Project",
                           tools=[("notes", "notes")])
    seed.project(owner, prefix="sub", title="Public Sub", parent=project)
    seed.member(project, "Developer", dev)

    page = new_page()          # anonymous visitor
    page.goto(project_url(project))
    assert heading(page) == "Home Project"
    assert page.locator("#tool-list").get_by_role("link", name="Notes").is_visible()
    assert page.locator("#subproject-list").get_by_role("link", name="Public Sub").is_visible()
    members = page.locator("#member-list").inner_text()
    assert "Admin\n%s" % owner.username in members
    assert "Developer\n%s" % dev.username in members
    # visitors get no admin links
    assert page.locator("#project-admin-links").count() == 0
    assert page.locator("#project-nav").get_by_text("Admin").count() == 0
    shot(page, "project-home-anonymous")

    admin = new_page()
    login(admin, owner.username)
    admin.goto(project_url(project))
    links = admin.locator("#project-admin-links")
    for label in ("Settings", "Tools", "Roles and members", "Permissions", "New subproject"):
        assert links.get_by_role("link", name=label).is_visible()
    shot(admin, "project-home-admin")


def test_project_settings_edit(page, seed):
    owner = seed.user("sam")
    project = seed.project(owner, prefix="settings", title="Before")
    login(page, owner.username)
    page.goto(project_url(project))
    with page.expect_navigation():
        page.locator("#project-admin-links").get_by_role("link", name="Settings").click()
    assert heading(page) == "Settings"
    assert page.get_by_label("Title").input_value() == "Before"
    page.get_by_label("Title").fill("After")
    page.get_by_label("Description").fill("Now with a description.")
    page.get_by_label("Private").check()
    shot(page, "project-settings")
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    assert page.url.endswith(project_url(project))
    assert page.get_by_role("status").inner_text() == "Project settings saved."
    assert heading(page) == "After"
    assert page.locator("#project-description").inner_text() == "Now with a description."
    assert page.locator("main .badge.private").is_visible()

    # an empty title is refused, the page says why
    page.goto(project_url(project) + "@@edit")
    page.get_by_label("Title").fill("   ")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Save").click()
    assert navigation.value.status == 400
    assert page.get_by_role("alert").inner_text() == "A title is required."


def test_tools_admin_install_rename_uninstall(page, seed):
    owner = seed.user("tess")
    project = seed.project(owner, prefix="tools", title="Toolbox")
    login(page, owner.username)
    page.goto(project_url(project))
    assert page.get_by_text("No tools yet.").is_visible()
    with page.expect_navigation():
        page.locator("#project-admin-links").get_by_role("link", name="Tools").click()
    assert heading(page) == "Tools"
    assert page.get_by_text("No tools installed yet.").is_visible()

    page.get_by_label("Tool", exact=True).select_option("notes")
    page.get_by_label("Mount point").fill("jottings")
    page.get_by_label("Label").fill("Jottings")
    with page.expect_navigation():
        page.get_by_role("button", name="Install").click()
    assert page.get_by_role("status").inner_text() == "Installed Jottings at jottings."
    row = page.locator("#tool-jottings")
    assert row.get_by_label("Mount point").input_value() == "jottings"
    assert page.locator("#project-nav").get_by_role("link", name="Jottings").is_visible()
    shot(page, "tools-admin")

    row.get_by_label("Mount point").fill("journal")
    row.get_by_label("Label").fill("Journal")
    with page.expect_navigation():
        row.get_by_role("button", name="Save").click()
    assert page.get_by_role("status").inner_text() == "Saved the tool Journal (now at journal)."
    assert page.locator("#tool-jottings").count() == 0
    assert page.locator("#tool-journal").get_by_label("Label").input_value() == "Journal"
    response = page.request.get(project_url(project) + "journal/")
    assert response.status == 200

    with page.expect_navigation():
        page.locator("#tool-journal").get_by_role("button", name="Uninstall…").click()
    confirm = page.locator("#uninstall-confirm")
    assert confirm.get_by_role("heading").inner_text() == "Uninstall Journal?"
    shot(page, "tools-uninstall-confirm")
    # a wrong confirmation keeps the tool
    confirm.get_by_label("Type the mount point").fill("nope")
    with page.expect_navigation() as navigation:
        confirm.get_by_role("button", name="Uninstall").click()
    assert navigation.value.status == 400
    assert page.get_by_role("alert").inner_text() == \
        "Type the mount point 'journal' to confirm; the tool was not uninstalled."
    page.locator("#uninstall-confirm").get_by_label("Type the mount point").fill("journal")
    with page.expect_navigation():
        page.locator("#uninstall-confirm").get_by_role("button", name="Uninstall").click()
    assert page.get_by_role("status").inner_text() == \
        "Uninstalled Journal (journal) and everything in it."
    assert page.get_by_text("No tools installed yet.").is_visible()
    assert page.locator("#project-nav").get_by_role("link", name="Journal").count() == 0


def test_roles_page_adds_a_developer(new_page, seed):
    owner = seed.user("uma")
    newcomer = seed.user("vic")
    project = seed.project(owner, prefix="roles", title="Roles Project")
    page = new_page()
    login(page, owner.username)
    page.goto(project_url(project))
    with page.expect_navigation():
        page.locator("#project-admin-links").get_by_role("link", name="Roles and members").click()
    assert heading(page) == "Roles and members"
    assert page.locator("#role-developer").inner_text().endswith("nobody")

    form = page.locator("#add-member-form")
    form.get_by_label("Username").fill(newcomer.username)
    form.get_by_label("Role").select_option(label="Developer")
    with page.expect_navigation():
        form.get_by_role("button", name="Add").click()
    developer_row = page.locator("#role-developer")
    assert developer_row.get_by_role("link", name=newcomer.username).is_visible()
    shot(page, "roles")

    # an unknown user is refused with a message
    form = page.locator("#add-member-form")
    form.get_by_label("Username").fill("nobody-by-that-name")
    with page.expect_navigation() as navigation:
        form.get_by_role("button", name="Add").click()
    assert navigation.value.status >= 400
    assert "nobody-by-that-name" in page.get_by_role("alert").inner_text()

    # the new developer sees the Settings link on the project, not the admin ones
    dev = new_page()
    login(dev, newcomer.username)
    dev.goto(project_url(project))
    links = dev.locator("#project-admin-links")
    assert links.get_by_role("link", name="Settings").is_visible()
    assert links.get_by_role("link", name="Roles and members").count() == 0


def test_projects_neighborhood_lists_readable_projects(new_page, seed):
    owner = seed.user("abe")
    # names that sort first: the session's other tests make dozens of projects, and
    # this test is about who sees what on the first page, not about paging
    seed.project(owner, prefix="aaopen", title="Open Project")
    seed.project(owner, prefix="aahidden", title="Hidden Project", private=True)

    anonymous = new_page()
    anonymous.goto("/p/")
    assert heading(anonymous) == "Projects"
    listed = anonymous.locator("#project-list")
    assert listed.get_by_role("link", name="Open Project").count() == 1
    assert listed.get_by_role("link", name="Hidden Project").count() == 0
    assert anonymous.get_by_role("link", name="New project").count() == 0

    admin = new_page()
    login(admin, owner.username)
    admin.goto("/p/")
    listed = admin.locator("#project-list")
    row = listed.locator("li").filter(has_text="Hidden Project")
    assert row.locator(".badge.private").inner_text() == "private"
    assert admin.get_by_role("link", name="New project").is_visible()
    shot(admin, "neighborhood-projects")


def test_project_history_shows_the_audit_log(page, seed):
    owner = seed.user("bea")
    project = seed.project(owner, prefix="audit", title="Audited",
                           tools=[("notes", "wiki")])
    login(page, owner.username)
    page.goto(project_url(project) + "@@permissions")
    with page.expect_navigation():
        page.locator("nav.node-tabs").get_by_role("link", name="History").click()
    assert heading(page) == "History of Audited"
    summaries = page.locator("#audit-table tbody tr td:nth-child(3)").all_inner_texts()
    assert "created Audited" in summaries
    assert "installed Notes at wiki" in summaries
    assert owner.username in page.locator("#audit-table").inner_text()
    shot(page, "project-history")
