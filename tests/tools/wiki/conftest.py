"""Fixtures of the wiki tests: a project "demo" with a wiki at /p/demo/wiki/."""
import pytest

from forge.actions.projects import install_tool
from forge.actions.roles import add_member, role_named
from forge.model import session
from forge.testing import ForgeBrowser, forge_test_settings

from tools.wiki.model import WikiPage

WIKI = "/p/demo/wiki/"


@pytest.fixture
def forge_settings():
    # only the wiki: these tests must not depend on other tools being written meanwhile
    return forge_test_settings(**{"forge.attachments.max_bytes": "2048",
                                  "forge.tools": "tools.wiki",
                                  "forge.load_tool_entry_points": "false"})


@pytest.fixture
def site(registry, make_user, make_project):
    """ada admins demo; dev is a Developer, mem and mem2 are Members, out is
    signed up but not in the project."""
    ada = make_user("ada")
    project = make_project("demo", ada)
    people = {"ada": ada, "project": project}
    for name, role in (("dev", "Developer"), ("mem", "Member"), ("mem2", "Member")):
        people[name] = make_user(name)
        add_member(registry, project, role_named(project, role), people[name], ada)
    people["out"] = make_user("out")
    people["tool"] = install_tool(registry, project, "wiki", "wiki", ada)
    session.close()
    return people


@pytest.fixture
def browse(forge_app):
    def make(username=None):
        b = ForgeBrowser(forge_app)
        if username:
            b.login(username)
        return b
    return make


def stored(site, path):
    """The page as saved (a fresh read, not the session's cached copy)."""
    session.close()
    return WikiPage.query.get(tool_id=site["tool"]._id, path=path)


def create(b, path, status=302, url=WIKI, **fields):
    fields.setdefault("text", "")
    return b.post_form(url + "@@new", dict(fields, name=path), status=status)


def edit(b, path, version, status=302, **fields):
    return b.post_form(WIKI + path + "/@@edit", dict(fields, version=str(version)),
                       status=status)
