"""The signed-in front page (forge.dashboard) with the tracker's "Assigned to
you" panel: what a member sees, and what they may not."""
from forge.actions.projects import install_tool

from .conftest import TOOL


def create(b, title, **fields):
    return b.post_form(TOOL + "@@new", dict(fields, title=title), status=302)


def test_anonymous_front_page_is_the_project_list(login, site):
    page = login().get("/")
    assert "project-list" in page.text and "Your projects" not in page.text


def test_dashboard_lists_projects_assigned_tickets_watches_and_activity(
        login, site, run_reactors):
    dev, mem = login("dev"), login("mem")
    create(mem, "Engine stalls", assigned_to="dev")
    create(mem, "Someone else's", assigned_to="mem2")
    create(mem, "Closed already", assigned_to="dev", status="closed")
    run_reactors()
    page = dev.get("/")
    assert "Welcome, dev" in page.text
    projects = page.html.select_one("#dashboard-projects").get_text(" ")
    assert "Demo" in projects and "Developer" in projects
    assigned = page.html.find("h2", string="Assigned to you").find_next("ul").get_text(" ")
    assert "#1 Engine stalls" in assigned
    assert "Someone else" not in assigned and "Closed already" not in assigned
    # the reporter watches what they created; activity of the project is listed
    watched = mem.get("/").html.select_one("#dashboard-watched").get_text(" ")
    assert "Engine stalls" in watched
    assert "Engine stalls" in page.html.select_one(".activity-list").get_text(" ")


def test_dashboard_never_shows_what_the_reader_may_not_read(login, site, run_reactors):
    mem, mem2 = login("mem"), login("mem2")
    create(mem, "Security hole", assigned_to="mem2", private="on")
    run_reactors()
    # mem2 is assigned but a private ticket is read by its reporter and developers only
    text = mem2.get("/").text
    assert "Security hole" not in text
    assert "Security hole" in mem.get("/").text        # the reporter: watched, activity


def test_search_and_paging_on_the_front_page_still_list_projects(login, site):
    dev = login("dev")
    assert "project-list" in dev.get("/?q=demo").text
    assert "Projects" in dev.get("/?page=1").text


def test_someone_outside_the_project_sees_only_their_own(login, site):
    page = login("out").get("/")
    projects = page.html.select_one("#dashboard-projects").get_text(" ")
    assert "Demo" not in projects and "Admin" in projects      # their personal project
    assert "Assigned to you" not in page.text


def test_tickets_of_every_tracker_of_the_project(login, site, registry):
    install_tool(registry, site["project"], "tracker", "bugs", site["ada"])
    mem = login("mem")
    mem.post_form("/p/demo/bugs/@@new", {"title": "In the other tracker",
                                         "assigned_to": "dev"}, status=302)
    assert "In the other tracker" in login("dev").get("/").text
