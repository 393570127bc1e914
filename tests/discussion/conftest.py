"""Fixtures of the comment-thread tests: a forge with the ``topics`` fixture
tool, a project ``demo`` with it mounted at ``topics``, and people in every
relation to it (admin, developer, member, outsider)."""
import pytest

from forge.actions.projects import install_tool
from forge.actions.roles import add_member, role_named
from forge.actions.versions import create_versioned
from forge.model import Project, ToolInstance, User, session
from forge.model.acl import user_principal, with_privacy
from forge.testing import ForgeBrowser, forge_test_settings

from .fixture_tool import Topic

FIXTURE_TOOL = "tests.discussion.fixture_tool"
TOPICS = "/p/demo/topics/"


@pytest.fixture
def forge_settings():
    return forge_test_settings(**{"forge.tools": FIXTURE_TOOL})


@pytest.fixture
def people(registry, make_user, make_project):
    """ada: admin; dev: Developer; mem: Member; out: signed-in outsider."""
    ada = make_user("ada")
    users = {"ada": ada}
    for name in ("dev", "mem", "out"):
        users[name] = make_user(name)
    project = make_project("demo", ada)
    add_member(registry, project, role_named(project, "Developer"), users["dev"], ada)
    add_member(registry, project, role_named(project, "Member"), users["mem"], ada)
    install_tool(registry, project, "topics", "topics", ada)
    session.close()
    return users


@pytest.fixture
def make_topic(registry, people):
    def make(name, title=None, private=False, author="ada", readers=None):
        """A topic; a private one is readable by ``readers`` (usernames), or by
        the developers and its author."""
        session.close()
        project = Project.query.get(shortname="demo")
        tool = ToolInstance.query.get(project_id=project._id, mount="topics")
        actor = User.query.get(username=author)
        acl = []
        if private:
            principals = ([user_principal(User.query.get(username=u)._id) for u in readers]
                          if readers is not None else
                          [role_named(project, "Developer").principal, user_principal(actor._id)])
            acl = with_privacy([], True, principals)
        topic = create_versioned(registry, Topic, actor, path=name, project_id=project._id,
                                 tool_id=tool._id, title=title or name.title(),
                                 text="About %s." % name, acl=acl)
        session.close()
        return topic
    return make


@pytest.fixture
def browser_for(forge_app, people):
    """browser_for("mem") -> a ForgeBrowser signed in as that user (None: anonymous)."""
    def make(username=None):
        browser = ForgeBrowser(forge_app)
        if username:
            browser.login(username)
        return browser
    return make
