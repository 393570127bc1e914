"""The tracker's admin page: states, priorities, milestones (due dates
validated), default assignee, list columns; audited, announced as
project.tool.updated, and only for admins."""
import pytest

from forge.model import ChangeLogEntry, OutboxEvent, ToolInstance, session
from tools.tracker.config import tracker_options

from .conftest import TOOL

ADMIN = TOOL + "@@admin"


def options(site):
    session.close()
    return tracker_options(ToolInstance.query.get(_id=site["tool"]._id))


def test_admin_page_needs_admin(login, site):
    assert 'id="states-form"' in login("ada").get(ADMIN).text
    login("dev").get(ADMIN, status=403)
    assert "@@login" in login().get(ADMIN, status=302).location
    login("dev").post_form(ADMIN, {"form": "states", "open_states": "new",
                                   "closed_states": "done"}, status=403)


def test_states_and_priorities(login, site):
    ada = login("ada")
    ada.post_form(ADMIN, {"form": "states", "open_states": "new, In-Progress",
                          "closed_states": "done\nwontfix"}, status=302)
    assert options(site).open_states == ("new", "in-progress")
    assert options(site).closed_states == ("done", "wontfix")
    ada.post_form(ADMIN, {"form": "priorities", "priorities": "p3, p2, p1",
                          "default_priority": "p2"}, status=302)
    assert (options(site).priorities, options(site).default_priority) == (
        ("p3", "p2", "p1"), "p2")
    # the query language follows the new configuration
    assert ada.get(TOOL, params={"q": "status:new priority:p1"}).status_int == 200
    page = ada.get(TOOL, params={"q": "status:accepted"}, status=400)
    assert "the states are new, in-progress, done, wontfix" in page.text
    # audited and announced
    session.close()
    events = OutboxEvent.query.find({"topic": "project.tool.updated"}).sort("seq", 1).all()
    assert [e.message["detail"]["changes"].get("options") for e in events][-2:] == [
        "states", "priorities"]
    assert ChangeLogEntry.query.find({"action": "tracker.states"}).count() == 1


@pytest.mark.parametrize("fields, message", [
    ({"form": "states", "open_states": "", "closed_states": "done"},
     "Open states: give at least one"),
    ({"form": "states", "open_states": "a, b", "closed_states": "b"},
     "cannot be both open and closed: b"),
    ({"form": "states", "open_states": "new state", "closed_states": "done"},
     "is not a valid name"),
    ({"form": "states", "open_states": "a, a", "closed_states": "done"}, "listed twice"),
    ({"form": "priorities", "priorities": "low, high", "default_priority": "mid"},
     "The default priority must be one of: low, high"),
    ({"form": "add-milestone", "name": "1.0", "due": "2026-13-45"},
     "The due date must be a date like 2026-01-31"),
    ({"form": "add-milestone", "name": "1.0", "due": "next week"},
     "The due date must be a date like 2026-01-31"),
    ({"form": "add-milestone", "name": "", "due": ""}, "A milestone needs a name"),
    ({"form": "add-milestone", "name": "none", "due": ""}, "reserved"),
    ({"form": "edit-milestone", "name": "9.9", "action": "close"}, "no milestone named"),
    ({"form": "assignee", "default_assignee": "zed"}, "There is no user named"),
    ({"form": "columns", "column": "colour"}, "There is no custom field named"),
    ({"form": "remove-search", "name": "x"}, "There is no saved search"),
    ({"form": "bogus"}, "The form was not recognised"),
])
def test_bad_input_is_400_with_the_message_and_nothing_changes(login, site, fields, message):
    before = options(site)
    page = login("ada").post_form(ADMIN, fields, status=400)
    assert 'id="admin-error"' in page.text and message in page.text
    assert options(site) == before


def test_bad_due_date_keeps_what_was_typed(login, site):
    page = login("ada").post_form(ADMIN, {"form": "add-milestone", "name": "Beta",
                                          "due": "31/12/2026", "description": "soon"},
                                  status=400)
    assert 'value="Beta"' in page.text and 'value="31/12/2026"' in page.text


def test_milestones_add_close_reopen_and_due_dates(login, site):
    ada = login("ada")
    ada.post_form(ADMIN, {"form": "add-milestone", "name": "Later", "due": ""}, status=302)
    ada.post_form(ADMIN, {"form": "add-milestone", "name": "Beta", "due": "2026-12-31",
                          "description": "First *beta*"}, status=302)
    ada.post_form(ADMIN, {"form": "add-milestone", "name": "Alpha", "due": "2026-06-30"},
                  status=302)
    assert [m.name for m in options(site).milestones] == ["Alpha", "Beta", "Later"]
    page = ada.post_form(ADMIN, {"form": "add-milestone", "name": "Beta", "due": ""},
                         status=400)
    assert "already a milestone named" in page.text
    ada.post_form(ADMIN, {"form": "edit-milestone", "name": "Alpha", "action": "close"},
                  status=302)
    assert options(site).milestone("Alpha").closed is True
    ada.post_form(ADMIN, {"form": "edit-milestone", "name": "Alpha", "action": "reopen"},
                  status=302)
    assert options(site).milestone("Alpha").closed is False
    ada.post_form(ADMIN, {"form": "edit-milestone", "name": "Later", "due": "2027-01-01"},
                  status=302)
    assert [m.name for m in options(site).milestones] == ["Alpha", "Beta", "Later"]
    assert options(site).milestone("Later").due == "2027-01-01"


def test_default_assignee_and_columns(login, site):
    ada = login("ada")
    ada.post_form(ADMIN, {"form": "assignee", "default_assignee": "dev"}, status=302)
    assert options(site).default_assignee == "dev"
    ada.post_form(ADMIN, {"form": "assignee", "default_assignee": ""}, status=302)
    assert options(site).default_assignee == ""
    ada.post_form(ADMIN, {"form": "columns", "column": ["severity", "estimate"]}, status=302)
    assert options(site).list_columns == ("severity", "estimate")
    page = ada.get(ADMIN)
    assert 'value="severity" checked' in page.text
    assert 'href="http://localhost/p/demo/tickets/@@fields"' in page.text
    assert 'href="http://localhost/p/demo/tickets/@@permissions"' in page.text
