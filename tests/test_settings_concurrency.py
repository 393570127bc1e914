"""Settings forms save optimistically, like artifacts: each form carries the
version it edited, and the second of two saves from one stale form is a 409
with a message, the first save kept (``forge.unit_of_work``)."""
import pytest

from forge.actions.projects import install_tool
from forge.model import Project, ProjectRole, ToolInstance, User, session
from forge.unit_of_work import change

STALE = "Someone else saved these settings after you opened this form"


@pytest.fixture
def demo(registry, make_user, make_project):
    ada = make_user("ada")
    make_user("bob")
    make_user("cy")
    project = make_project("demo", ada, title="Demo")
    install_tool(registry, project, "notes", "notes", ada)
    return project


@pytest.fixture
def ada(forge_browser, demo):
    forge_browser.login("ada")
    return forge_browser


def stale_pair(browser, url, pick, first, second):
    """Open ``url`` once, submit its form (``pick(page)``) with ``first``, then
    the same (now stale) form with ``second``; the second answer."""
    form = pick(browser.get(url))
    for name, value in first.items():
        form[name] = value
    assert form.submit().status_int == 302
    for name, value in second.items():
        form[name] = value
    return form.submit(status=409)


def fresh():
    session.clear()


def test_project_edit(ada):
    answer = stale_pair(ada, "/p/demo/@@edit", lambda page: page.forms["edit-project-form"],
                        {"title": "First"}, {"title": "Second"})
    assert STALE in answer.text
    fresh()
    project = Project.query.get(shortname="demo")
    assert project.title == "First" and project.version == 1


def test_tool_settings(ada):
    def update_form(page):
        return next(f for f in page.forms.values()
                    if f.get("action", default=None) is not None
                    and f["action"].value == "update" and f["mount"].value == "notes")
    answer = stale_pair(ada, "/p/demo/@@tools", update_form,
                        {"label": "Journal"}, {"label": "Diary"})
    assert STALE in answer.text
    fresh()
    assert ToolInstance.query.get(mount="notes").label == "Journal"


def test_custom_fields(ada):
    answer = stale_pair(ada, "/p/demo/notes/@@fields",
                        lambda page: page.forms["add-field-form"],
                        {"name": "severity", "label": "Severity", "type": "text"},
                        {"name": "owner", "label": "Owner", "type": "text"})
    assert STALE in answer.text
    fresh()
    fields = ToolInstance.query.get(mount="notes").custom_fields
    assert [f["name"] for f in fields] == ["severity"]


def test_roles(ada, demo):
    answer = stale_pair(ada, "/p/demo/@@roles", lambda page: page.forms["add-member-form"],
                        {"username": "bob"}, {"username": "cy"})
    assert STALE in answer.text
    fresh()
    member = ProjectRole.query.get(project_id=demo._id, name="Member")
    assert sorted(User.query.get(_id=u).username for u in member.user_ids) == ["bob"]


def test_profile(ada):
    answer = stale_pair(ada, "/@@account", lambda page: page.forms["profile-form"],
                        {"display_name": "Ada First"}, {"display_name": "Ada Second"})
    assert STALE in answer.text
    fresh()
    assert User.by_username("ada").display_name == "Ada First"


def test_a_stale_form_stays_stale_when_shown_again(ada):
    """The 409 page keeps the version the user edited: saving it again is
    still refused until the page is reloaded."""
    form = ada.get("/p/demo/@@edit").forms["edit-project-form"]
    form["title"] = "First"
    form.submit(status=302)
    form["title"] = "Second"
    again = form.submit(status=409).forms["edit-project-form"]
    assert again.submit(status=409)
    reloaded = ada.get("/p/demo/@@edit").forms["edit-project-form"]
    reloaded["title"] = "Third"
    reloaded.submit(status=302)


def test_a_document_stored_without_a_version_is_version_0(registry, demo):
    """Projects saved before versions were kept have no field: version 0."""
    from forge.model.session import collection
    collection(Project).update_one({"_id": demo._id}, {"$unset": {"version": ""}})
    fresh()
    project = Project.query.get(_id=demo._id)
    from forge.events import ProjectUpdated
    with change(registry, ProjectUpdated, node=project, actor=None, old={}, new={},
                version=0):
        project.title = "Renamed"
    fresh()
    assert collection(Project).find_one({"_id": demo._id})["version"] == 1


def test_a_form_version_that_is_not_a_number_is_a_400(ada):
    form = ada.get("/p/demo/@@edit").forms["edit-project-form"]
    form["version"] = "seven"
    form["title"] = "Bad"
    answer = form.submit(status=400)
    assert "version must be a whole number" in answer.text


def test_wiki_options(ada, registry, demo):
    install_tool(registry, demo, "wiki", "wiki", User.by_username("ada"))
    answer = stale_pair(ada, "/p/demo/wiki/@@options", lambda page: page.forms["options-form"],
                        {"home": "Start"}, {"home": "Welcome"})
    assert STALE in answer.text
    fresh()
    assert ToolInstance.query.get(mount="wiki").options["home"] == "Start"


@pytest.mark.parametrize("form_id, first, second, check", [
    ("priorities-form", {"priorities": "low, high", "default_priority": "low"},
     {"priorities": "minor, major", "default_priority": "minor"},
     lambda options: options["priorities"] == ["low", "high"]),
    ("add-milestone-form", {"name": "1.0"}, {"name": "2.0"},
     lambda options: [m["name"] for m in options["milestones"]] == ["1.0"]),
])
def test_tracker_admin_forms(ada, registry, demo, form_id, first, second, check):
    """Every form of the tracker's @@admin page carries the tool's settings version."""
    install_tool(registry, demo, "tracker", "tickets", User.by_username("ada"))
    answer = stale_pair(ada, "/p/demo/tickets/@@admin", lambda page: page.forms[form_id],
                        first, second)
    assert STALE in answer.text
    fresh()
    assert check(ToolInstance.query.get(mount="tickets").options)
