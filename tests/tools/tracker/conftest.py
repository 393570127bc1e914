"""Fixtures of the tracker tests: a project with people in every role and a tracker."""
import pytest

from forge.actions.fields import add_custom_field
from forge.actions.projects import install_tool
from forge.actions.roles import add_member, role_named
from forge.model import session
from forge.testing import browser

TOOL = "/p/demo/tickets/"


@pytest.fixture
def site(registry, make_user, make_project):
    """ada admins demo (tracker at /p/demo/tickets/); dev is a Developer, mem
    and mem2 are Members, out has no role."""
    ada = make_user("ada")
    project = make_project("demo", ada)
    people = {"ada": ada, "project": project}
    for name, role in (("dev", "Developer"), ("mem", "Member"), ("mem2", "Member")):
        people[name] = make_user(name)
        add_member(registry, project, role_named(project, role), people[name], ada)
    people["out"] = make_user("out")
    tool = install_tool(registry, project, "tracker", "tickets", ada)
    add_custom_field(registry, tool, "severity", "Severity", "select", ada,
                     options=("minor", "major", "blocker"))
    add_custom_field(registry, tool, "estimate", "Estimate", "integer", ada)
    people["tool"] = tool
    session.close()
    return people


@pytest.fixture
def login(forge_app):
    return lambda username=None: browser(forge_app, username)
