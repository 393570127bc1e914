"""Project pages: creating projects and subprojects, the home page, settings."""
from html import unescape

import pytest

from forge.actions.projects import install_tool
from forge.actions.roles import add_member, role_named
from forge.model import ChangeLogEntry, Project, ProjectRole


def project(shortname):
    return Project.query.get(shortname=shortname)


def shortnames():
    return sorted(p.shortname for p in Project.query.find())


@pytest.fixture
def ada(make_user):
    return make_user("ada")


# -- creating -----------------------------------------------------------------

def test_create_project_makes_the_creator_admin(forge_browser, ada):
    forge_browser.login("ada")
    form = forge_browser.get("/p/@@create")
    assert 'name="shortname"' in form.text
    response = forge_browser.post_form("/p/@@create", {
        "shortname": "widget", "title": "Widget Factory",
        "description": "Makes widgets.\nMany of them."}, status=302)
    assert response.location == "http://localhost/p/widget/"
    doc = project("widget")
    assert doc.title == "Widget Factory" and doc.parent_id is None
    assert role_named(doc, "Admin").user_ids == [ada._id]
    home = response.follow()
    assert "Widget Factory" in home.text
    assert "Makes widgets." in home.text and "Many of them." in home.text
    assert "/u/ada/@@profile" in home.text
    assert 'class="badge private"' not in home.text
    assert ChangeLogEntry.query.get(node_id=doc._id, action="project.create") is not None


def test_create_private_project(forge_browser, ada):
    forge_browser.login("ada")
    forge_browser.post_form("/p/@@create", {"shortname": "hush", "title": "Hush",
                                            "private": "1"}, status=302)
    home = forge_browser.get("/p/hush/")
    assert 'class="badge private"' in home.text
    forge_browser.logout()
    assert "Hush" not in forge_browser.get("/").text


def test_anonymous_is_sent_to_sign_in(forge_browser, ada, make_project):
    make_project("demo", ada)
    for url in ("/p/@@create", "/p/demo/@@create-subproject", "/p/demo/@@edit",
                "/p/demo/@@tools", "/p/demo/@@roles"):
        response = forge_browser.get(url, status=302)
        assert "/@@login?next=" in response.location, url


@pytest.mark.parametrize("fields,message", [
    ({"shortname": "", "title": "T"}, "short name is required"),
    ({"shortname": "Bad Name", "title": "T"}, "only lowercase letters"),
    ({"shortname": "-dash", "title": "T"}, "only lowercase letters"),
    ({"shortname": "x" * 64, "title": "T"}, "at most 63 characters"),
    ({"shortname": "y" * 300, "title": "T"}, "at most 63 characters"),
    ({"shortname": "ok", "title": ""}, "A title is required"),
    ({"shortname": "ok", "title": "   "}, "A title is required"),
    ({"shortname": "ok", "title": "t" * 201}, "at most 200 characters"),
    ({"shortname": "demo", "title": "T"}, "is taken"),
])
def test_invalid_project_form_is_400_and_saves_nothing(
        forge_browser, ada, make_project, fields, message):
    make_project("demo", ada)
    before = (shortnames(), ProjectRole.query.find().count())
    forge_browser.login("ada")
    response = forge_browser.post_form("/p/@@create", fields, status=400)
    assert message in unescape(response.text)
    assert 'id="create-project-form"' in response.text
    # the user's input comes back in the form
    if fields["title"].strip():
        assert 'value="%s"' % fields["title"] in response.text
    assert (shortnames(), ProjectRole.query.find().count()) == before


def test_create_subproject(forge_browser, ada, make_project):
    make_project("demo", ada)
    forge_browser.login("ada")
    response = forge_browser.post_form("/p/demo/@@create-subproject", {
        "shortname": "docs", "title": "Documentation"}, status=302)
    assert response.location == "http://localhost/p/demo/docs/"
    doc = project("demo/docs")
    assert doc.parent_id == project("demo")._id and doc.family == "demo"
    # a subproject uses its parent's roles: it has none of its own
    assert ProjectRole.query.find({"project_id": doc._id}).count() == 0
    assert "Documentation" in response.follow().text
    assert "Documentation" in forge_browser.get("/p/demo/").text


def test_subproject_may_not_take_a_tool_mount(forge_browser, registry, ada, make_project):
    demo = make_project("demo", ada)
    install_tool(registry, demo, "notes", "notes", ada)
    forge_browser.login("ada")
    before = shortnames()
    response = forge_browser.post_form("/p/demo/@@create-subproject", {
        "shortname": "notes", "title": "Notes project"}, status=400)
    assert "already a tool" in response.text
    assert shortnames() == before


def test_duplicate_subproject_name_is_400(forge_browser, ada, make_project):
    make_project("docs", ada, parent=make_project("demo", ada))
    forge_browser.login("ada")
    response = forge_browser.post_form("/p/demo/@@create-subproject", {
        "shortname": "docs", "title": "Again"}, status=400)
    assert "is taken" in response.text
    # the same short name is fine under another parent and at the top level
    forge_browser.post_form("/p/demo/docs/@@create-subproject", {
        "shortname": "docs", "title": "Nested docs"}, status=302)
    forge_browser.post_form("/p/@@create", {"shortname": "docs", "title": "Top docs"},
                            status=302)
    assert {"demo/docs", "demo/docs/docs", "docs"} <= set(shortnames())


def test_subprojects_any_depth(forge_browser, ada, make_project):
    make_project("d1", ada)
    forge_browser.login("ada")
    url = "/p/d1/"
    for level in range(2, 9):
        response = forge_browser.post_form(url + "@@create-subproject", {
            "shortname": "d%d" % level, "title": "Level %d" % level}, status=302)
        url = response.location[len("http://localhost"):]
    assert url == "/p/d1/d2/d3/d4/d5/d6/d7/d8/"
    deepest = forge_browser.get(url)
    assert "Level 8" in deepest.text
    assert project("d1/d2/d3/d4/d5/d6/d7/d8").family == "d1"
    # the breadcrumbs lead back up the chain
    assert 'href="http://localhost/p/d1/d2/d3/"' in deepest.text


def test_only_admins_create_subprojects(forge_browser, registry, ada, make_user, make_project):
    demo = make_project("demo", ada)
    dev = make_user("dev")
    add_member(registry, demo, role_named(demo, "Developer"), dev, ada)
    forge_browser.login("dev")
    forge_browser.get("/p/demo/@@create-subproject", status=403)
    forge_browser.post_form("/p/demo/@@create-subproject",
                            {"shortname": "sneaky", "title": "S"}, status=403)
    assert project("demo/sneaky") is None


# -- who sees what ------------------------------------------------------------

@pytest.fixture
def private_world(registry, ada, member, make_user, make_project):
    make_user("outsider")
    demo = make_project("demo", ada, title="Public Demo")
    make_project("hush", ada, private=True, title="Hush Project")
    make_project("secret", ada, parent=demo, private=True, title="Secret Sub")
    make_project("open", ada, parent=demo, title="Open Sub")
    return demo


@pytest.fixture
def member(registry, make_user):
    return make_user("member")


def test_private_project_is_hidden_from_non_members(
        forge_browser, registry, ada, member, private_world):
    assert "Hush Project" not in forge_browser.get("/").text
    forge_browser.get("/p/hush/", status=404)
    forge_browser.login("outsider")
    assert "Hush Project" not in forge_browser.get("/").text
    assert "Hush Project" not in forge_browser.get("/p/").text
    forge_browser.get("/p/hush/", status=404)
    forge_browser.logout()

    hush = project("hush")
    add_member(registry, hush, role_named(hush, "Member"), member, ada)
    forge_browser.login("member")
    assert "Hush Project" in forge_browser.get("/").text
    home = forge_browser.get("/p/hush/")
    assert "Hush Project" in home.text
    assert 'id="project-admin-links"' not in home.text


def test_private_subproject_is_hidden_from_the_parent_page(
        forge_browser, registry, ada, member, private_world):
    page = forge_browser.get("/p/demo/")
    assert "Open Sub" in page.text and "Secret Sub" not in page.text
    forge_browser.get("/p/demo/secret/", status=404)
    forge_browser.login("outsider")
    assert "Secret Sub" not in forge_browser.get("/p/demo/").text
    forge_browser.logout()
    add_member(registry, private_world, role_named(private_world, "Member"), member, ada)
    forge_browser.login("member")
    assert "Secret Sub" in forge_browser.get("/p/demo/").text
    assert forge_browser.get("/p/demo/secret/").status_int == 200


def test_home_lists_tools_the_viewer_may_read(forge_browser, registry, ada, make_project):
    from forge.model.acl import with_privacy
    demo = make_project("demo", ada)
    install_tool(registry, demo, "notes", "notes", ada, label="Team Notes")
    hidden = install_tool(registry, demo, "notes", "hidden", ada, label="Hidden Notes")
    hidden.acl = with_privacy(hidden.acl, True, [role_named(demo, "Developer").principal])
    hidden.query.session.flush()
    page = forge_browser.get("/p/demo/")
    assert "Team Notes" in page.text and "Hidden Notes" not in page.text
    # the side nav lists the readable tools too
    nav = page.text[page.text.index('id="project-nav"'):page.text.index("</nav>",
                                                                        page.text.index('id="project-nav"'))]
    assert 'href="http://localhost/p/demo/notes/"' in nav and "hidden" not in nav
    forge_browser.login("ada")
    assert "Hidden Notes" in forge_browser.get("/p/demo/").text


def test_description_is_safe_markdown(forge_browser, ada, make_project):
    make_project("demo", ada)
    forge_browser.login("ada")
    forge_browser.post_form("/p/demo/@@edit", {
        "title": "Demo",
        "description": "Some **bold** words.\n\n<script>alert(1)</script>"
                       "<a href=\"javascript:alert(2)\">x</a>"}, status=302)
    page = forge_browser.get("/p/demo/")
    assert "<strong>bold</strong>" in page.text
    assert "<script>" not in page.text and "javascript:" not in page.text


# -- settings -----------------------------------------------------------------

def test_admin_edits_settings_and_privacy(forge_browser, ada, make_project):
    make_project("demo", ada)
    forge_browser.login("ada")
    form = forge_browser.get("/p/demo/@@edit")
    assert 'name="private"' in form.text
    forge_browser.post_form("/p/demo/@@edit", {
        "title": "Renamed", "description": "New words", "set_private": "1",
        "private": "1"}, status=302)
    doc = project("demo")
    assert (doc.title, doc.description) == ("Renamed", "New words")
    assert doc.acl[-1] == {"access": "deny", "principal": "system.Everyone",
                           "permission": "read"}
    entry = ChangeLogEntry.query.get(node_id=doc._id, action="project.update")
    assert entry.detail["changes"]["private"] is True
    forge_browser.post_form("/p/demo/@@edit", {"title": "Renamed", "set_private": "1"},
                            status=302)
    assert not any(e["permission"] == "read" and e["access"] == "deny"
                   for e in project("demo").acl)


def test_edit_errors_are_400(forge_browser, ada, make_project):
    make_project("demo", ada, title="Demo")
    forge_browser.login("ada")
    response = forge_browser.post_form("/p/demo/@@edit", {"title": " ", "description": "x"},
                                       status=400)
    assert "A title is required" in response.text
    assert project("demo").title == "Demo" and project("demo").description == ""


def test_developer_edits_but_may_not_switch_privacy(
        forge_browser, registry, ada, make_user, make_project):
    demo = make_project("demo", ada, title="Demo")
    dev = make_user("dev")
    add_member(registry, demo, role_named(demo, "Developer"), dev, ada)
    forge_browser.login("dev")
    form = forge_browser.get("/p/demo/@@edit")
    assert 'name="private"' not in form.text and 'name="set_private"' not in form.text
    forge_browser.post_form("/p/demo/@@edit", {"title": "By dev"}, status=302)
    assert project("demo").title == "By dev"
    for fields in ({"title": "X", "private": "1"}, {"title": "X", "set_private": "1"}):
        forge_browser.post_form("/p/demo/@@edit", fields, status=403)
    doc = project("demo")
    assert doc.title == "By dev" and doc.acl[-1]["access"] == "allow"


def test_members_may_not_edit(forge_browser, registry, ada, member, make_project):
    demo = make_project("demo", ada, title="Demo")
    add_member(registry, demo, role_named(demo, "Member"), member, ada)
    forge_browser.login("member")
    forge_browser.get("/p/demo/@@edit", status=403)
    forge_browser.post_form("/p/demo/@@edit", {"title": "Nope"}, status=403)
    assert project("demo").title == "Demo"


def test_find_projects_by_name_or_title(forge_browser, ada, make_project):
    """The header's "Find projects" (also over the wire: nx-27017 once found
    nothing for a regex beside ``parent_id: None``)."""
    make_project("orchard", ada, title="Apple Orchard")
    make_project("quarry", ada, title="Stone works")
    make_project("seedling", ada, parent="orchard", title="Orchard seedlings")
    found = forge_browser.get("/?q=orch").text
    assert "/p/orchard/" in found and "/p/quarry/" not in found
    assert "/p/orchard/seedling/" not in found          # top-level projects only
    by_title = forge_browser.get("/?q=STONE").text
    assert "/p/quarry/" in by_title and "/p/orchard/" not in by_title
    assert "No projects match" in forge_browser.get("/?q=nothing-like-it").text
