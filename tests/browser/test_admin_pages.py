"""Admin pages without a browser test elsewhere: custom roles, the order of
tools, making a project or a tool private, a subproject's own roles, and the
users' neighborhood with a personal project."""
import pytest

from .conftest import login, project_url, shot

pytestmark = pytest.mark.browser


def heading(page):
    return page.get_by_role("heading", level=1).inner_text()


def flash(page):
    return page.get_by_role("status").inner_text()


def install_labelled_tool(seed, project, tool, mount, label):
    """Install ``tool`` at ``mount`` with its own ``label`` (``seed.project``
    gives every notes tool the same label, "Notes", which cannot tell two
    tools apart in a list)."""
    from forge.actions.projects import install_tool
    from forge.actions.roles import role_named
    from forge.model import Project, User, session
    project = Project.query.get(_id=project._id)
    admin = User.query.get(_id=role_named(project, "Admin").user_ids[0])
    install_tool(seed.registry, project, tool, mount, admin, label=label)
    session.close()


def side_nav_tools(page):
    """Labels of the tool links of the project side-nav, in order (the first
    link is the project's home, the admin list follows in its own <ul>)."""
    return page.locator("#project-nav ul").first.locator("li").all_inner_texts()[1:]


# ---------------------------------------------------------------- roles

def test_custom_role_create_assign_and_delete(new_page, seed):
    owner = seed.user("cora")
    helper = seed.user("dirk")
    project = seed.project(owner, prefix="custom", title="Custom Roles")
    page = new_page()
    login(page, owner.username)
    page.goto(project_url(project) + "@@roles")
    assert heading(page) == "Roles and members"
    assert page.locator("#role-reviewer").count() == 0

    form = page.locator("#create-role-form")
    form.get_by_label("Name").fill("Reviewer")
    form.get_by_role("group", name="Its holders also have the roles") \
        .get_by_label("Member", exact=True).check()
    with page.expect_navigation():
        form.get_by_role("button", name="Create role").click()
    assert flash(page) == "Created the role Reviewer."
    row = page.locator("#role-reviewer")
    cells = row.locator("td").all_inner_texts()
    assert cells[0].startswith("Reviewer")
    assert cells[1] == "Member"
    assert cells[2] == "nobody"
    # it is offered to new members and to later roles
    assert page.locator("#add-member-form").get_by_label("Role") \
        .locator("option", has_text="Reviewer").count() == 1

    form = page.locator("#add-member-form")
    form.get_by_label("Username").fill(helper.username)
    form.get_by_label("Role").select_option(label="Reviewer")
    with page.expect_navigation():
        form.get_by_role("button", name="Add").click()
    assert flash(page) == "%s now has the role Reviewer." % helper.username
    row = page.locator("#role-reviewer")
    assert row.get_by_role("link", name=helper.username).is_visible()
    assert row.get_by_role("button", name="Take Reviewer from %s" % helper.username).is_visible()
    shot(page, "roles-custom-role")

    # the project's home lists the new role among its members
    page.goto(project_url(project))
    assert "Reviewer\n%s" % helper.username in page.locator("#member-list").inner_text()

    page.goto(project_url(project) + "@@roles")
    # the built-in roles offer no delete button, the custom one does
    assert page.locator("#role-member").get_by_role("button", name="delete").count() == 0
    with page.expect_navigation():
        page.locator("#role-reviewer").get_by_role("button", name="delete").click()
    assert flash(page) == "Deleted the role Reviewer."
    assert page.locator("#role-reviewer").count() == 0
    assert page.locator("#role-table").get_by_text("Reviewer").count() == 0
    assert page.locator("#add-member-form").get_by_label("Role") \
        .locator("option", has_text="Reviewer").count() == 0
    page.goto(project_url(project))
    assert "Reviewer" not in page.locator("#member-list").inner_text()


def test_subproject_gets_its_own_roles(page, seed):
    owner = seed.user("emil")
    parent = seed.project(owner, prefix="family", title="Family")
    child = seed.project(owner, prefix="kid", title="Kid", parent=parent)
    child_url = "/p/%s/" % child.shortname
    login(page, owner.username)
    page.goto(child_url + "@@roles")
    assert heading(page) == "Roles and members"
    inherited = page.locator("#inherited-roles")
    assert inherited.get_by_role("link", name="Family").get_attribute("href") \
        .endswith(project_url(parent) + "@@roles")
    # the parent's roles are listed, but not editable here
    assert page.locator("#add-member-form").count() == 0
    assert page.locator("#create-role-form").count() == 0
    shot(page, "roles-subproject-inherited")

    with page.expect_navigation():
        inherited.get_by_role("button", name="Give this project its own roles").click()
    assert flash(page) == "This project now has its own roles; you are its admin."
    assert page.locator("#inherited-roles").count() == 0
    names = page.locator("#role-table tbody tr td:first-child strong").all_inner_texts()
    assert names == ["Admin", "Developer", "Member"]
    assert page.locator("#role-admin").get_by_role("link", name=owner.username).is_visible()
    assert page.locator("#role-developer").locator("td").nth(2).inner_text() == "nobody"
    assert page.locator("#add-member-form").is_visible()
    shot(page, "roles-subproject-own")

    # the subproject's home no longer says it shares its parent's members
    page.goto(child_url)
    assert page.get_by_text("This project shares the members of the project above it.") \
        .count() == 0
    # the subproject's own Admin role appears on its permissions page
    page.goto(child_url + "@@permissions#effective")     # opens the advanced section
    local = page.locator("#acl-table tr.local")
    assert local.filter(has_text="Admin (%s)" % child.shortname).count() > 0


# ---------------------------------------------------------------- tools order

def test_tools_move_up_and_down(new_page, seed):
    owner = seed.user("fay")
    project = seed.project(owner, prefix="order", title="Ordered")
    install_labelled_tool(seed, project, "notes", "first", "First Notes")
    install_labelled_tool(seed, project, "notes", "second", "Second Notes")
    page = new_page()
    login(page, owner.username)
    page.goto(project_url(project) + "@@tools")
    rows = page.locator("#installed-tools tbody tr")
    assert [rows.nth(i).get_attribute("id") for i in range(2)] == ["tool-first", "tool-second"]
    # the first tool cannot move up, the last cannot move down
    assert page.get_by_role("button", name="Move First Notes up").count() == 0
    assert page.get_by_role("button", name="Move Second Notes down").count() == 0
    assert side_nav_tools(page) == ["First Notes", "Second Notes"]

    with page.expect_navigation():
        page.get_by_role("button", name="Move Second Notes up").click()
    assert flash(page) == "Moved Second Notes up."
    rows = page.locator("#installed-tools tbody tr")
    assert [rows.nth(i).get_attribute("id") for i in range(2)] == ["tool-second", "tool-first"]
    assert side_nav_tools(page) == ["Second Notes", "First Notes"]
    shot(page, "tools-reordered")

    # visitors see the new order on the project's home
    visitor = new_page()
    visitor.goto(project_url(project))
    cards = visitor.locator("#tool-list li h3").all_inner_texts()
    assert [c.strip() for c in cards] == ["Second Notes", "First Notes"]
    assert side_nav_tools(visitor) == ["Second Notes", "First Notes"]

    with page.expect_navigation():
        page.get_by_role("button", name="Move Second Notes down").click()
    assert flash(page) == "Moved Second Notes down."
    assert side_nav_tools(page) == ["First Notes", "Second Notes"]
    visitor.goto(project_url(project))
    cards = visitor.locator("#tool-list li h3").all_inner_texts()
    assert [c.strip() for c in cards] == ["First Notes", "Second Notes"]


# ---------------------------------------------------------------- privacy

def test_make_a_project_private_then_public(new_page, seed):
    owner = seed.user("gil")
    project = seed.project(owner, prefix="hush", title="Hush")
    anonymous = new_page()
    assert anonymous.goto(project_url(project)).status == 200

    page = new_page()
    login(page, owner.username)
    page.goto(project_url(project) + "@@permissions")
    privacy = page.locator("#privacy-form")
    assert "This project is public" in privacy.inner_text()
    assert page.locator("h1 .badge.private").count() == 0
    with page.expect_navigation():
        privacy.get_by_role("button", name="Make private").click()
    assert flash(page) == "It is now private."
    assert page.locator("h1 .badge.private").inner_text() == "private"
    assert "This project is private" in page.locator("#privacy-form").inner_text()
    shot(page, "permissions-project-private")

    response = anonymous.goto(project_url(project))
    assert response.status == 404
    assert anonymous.get_by_role("alert").inner_text() == \
        "There is nothing here, or you may not see it."
    anonymous.goto("/p/")
    assert anonymous.get_by_role("link", name="Hush").count() == 0
    # its admin still sees it
    assert page.goto(project_url(project)).status == 200

    page.goto(project_url(project) + "@@permissions")
    with page.expect_navigation():
        page.locator("#privacy-form").get_by_role("button", name="Make public").click()
    assert flash(page) == "It is now public."
    assert page.locator("h1 .badge.private").count() == 0
    assert anonymous.goto(project_url(project)).status == 200
    assert heading(anonymous) == "Hush"


def test_make_a_tool_private_and_its_inherited_permissions(new_page, seed):
    owner = seed.user("hal")
    project = seed.project(owner, prefix="toolpriv", title="Tool Privacy",
                           tools=[("notes", "notes")])
    tool_url = project_url(project) + "notes/"
    page = new_page()
    login(page, owner.username)
    page.goto(tool_url + "@@permissions#effective")      # opens the advanced section
    assert heading(page).startswith("Permissions of Notes")
    # the tool's own entries first, then those of the project and above, each
    # with the node it comes from
    rows = page.locator("#acl-table tbody tr")
    classes = [rows.nth(i).get_attribute("class") for i in range(rows.count())]
    assert "local" in classes and "inherited" in classes
    assert classes == sorted(classes, key=lambda c: c != "local"), \
        "the local entries come before the inherited ones"
    inherited = page.locator("#acl-table tr.inherited")
    from_project = inherited.filter(has_text="inherited from Tool Privacy")
    assert from_project.count() > 0
    assert "(project)" in from_project.first.inner_text()
    assert from_project.first.get_by_role("link", name="Tool Privacy") \
        .get_attribute("href").endswith(project_url(project) + "@@permissions")
    assert inherited.filter(has_text="Admin (%s)" % project.shortname).count() > 0
    # ...and from the neighborhood and the site root, last
    assert inherited.filter(has_text="inherited from Projects (neighborhood)").count() > 0
    assert "(site)" in inherited.last.inner_text()
    # the inherited rows cannot be removed here
    assert inherited.get_by_role("button", name="Remove").count() == 0
    shot(page, "permissions-tool")

    anonymous = new_page()
    assert anonymous.goto(tool_url).status == 200
    privacy = page.locator("#privacy-form")
    assert "This tool is public" in privacy.inner_text()
    with page.expect_navigation():
        privacy.get_by_role("button", name="Make private").click()
    assert flash(page) == "It is now private."
    assert page.locator("h1 .badge.private").inner_text() == "private"
    shot(page, "permissions-tool-private")

    response = anonymous.goto(tool_url)
    assert response.status == 404
    # the project stays public; its side-nav and home no longer show the tool
    assert anonymous.goto(project_url(project)).status == 200
    assert anonymous.locator("#project-nav").get_by_role("link", name="Notes").count() == 0
    assert anonymous.locator("#tool-list").count() == 0
    # a member still reads it, marked private on the project's home
    page.goto(project_url(project))
    assert page.locator("#tool-list li").filter(has_text="Notes") \
        .locator(".badge.private").is_visible()
    assert page.goto(tool_url).status == 200

    page.goto(tool_url + "@@permissions")
    with page.expect_navigation():
        page.locator("#privacy-form").get_by_role("button", name="Make public").click()
    assert flash(page) == "It is now public."
    assert anonymous.goto(tool_url).status == 200


# ---------------------------------------------------------------- users

def find_in_listing(page, title, max_pages=20):
    """Follow the listing's "Next" links until a project card titled ``title``
    shows up; returns its card or None (the list grows with every test's users)."""
    for _ in range(max_pages):
        card = page.locator("#project-list li").filter(
            has=page.get_by_role("link", name=title, exact=True))
        if card.count():
            return card
        next_link = page.get_by_role("navigation", name="Pages").get_by_role("link", name="Next →")
        if not next_link.count():
            return None
        with page.expect_navigation():
            next_link.click()
    return None


def test_users_neighborhood_and_a_personal_project(new_page, seed):
    person = seed.user("aaron", display_name="Aaron Personal")
    anonymous = new_page()
    anonymous.goto("/u/")
    assert heading(anonymous) == "Users"
    # personal projects come with accounts: visitors get no create link
    assert anonymous.get_by_role("link", name="New project").count() == 0
    card = find_in_listing(anonymous, "Aaron Personal")
    assert card is not None, "the personal project of %s is not listed in /u/" % person.username
    shot(anonymous, "neighborhood-users")

    with anonymous.expect_navigation():
        card.get_by_role("link", name="Aaron Personal").click()
    assert anonymous.url.endswith("/u/%s/" % person.username)
    assert heading(anonymous) == "Aaron Personal"
    members = anonymous.locator("#member-list")
    assert members.locator("dt").first.inner_text() == "Admin"
    assert members.get_by_role("link", name=person.username).is_visible()
    assert anonymous.locator("#project-admin-links").count() == 0
    shot(anonymous, "personal-project-anonymous")

    # its owner administers it
    page = new_page()
    login(page, person.username)
    page.goto("/u/%s/" % person.username)
    links = page.locator("#project-admin-links")
    for label in ("Settings", "Tools", "Roles and members", "Permissions"):
        assert links.get_by_role("link", name=label).is_visible()
    page.goto("/u/%s/@@roles" % person.username)
    assert page.locator("#role-admin").get_by_role("link", name=person.username).is_visible()
    shot(page, "personal-project-owner")
