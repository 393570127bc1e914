"""Fixtures for tool authors, part of the ``forge.testing`` plugin (which imports them)::

    def test_my_tool(make_user, make_project, install_tool, add_member, browser_for):
        ada, mem = make_user("ada"), make_user("mem")
        project = make_project("demo", ada)
        add_member(project, mem, "Member")
        install_tool(project, "links")
        browser_for(mem).get("/p/demo/links/")
"""
import pytest

from .testing_browser import ForgeBrowser


@pytest.fixture
def install_tool(registry):
    """``install_tool(project, "links", mount=None, actor=None, label=None)``: the
    ToolInstance installed (by the project's first admin unless ``actor`` is given)."""
    from forge.actions.projects import install_tool as install
    from forge.actions.roles import role_named
    from forge.model import User

    def make(project, tool_name, mount=None, actor=None, label=None):
        if actor is None:
            actor = User.query.get(_id=role_named(project, "Admin").user_ids[0])
        mount = mount or tool_name.replace("_", "-")     # a mount point has no '_'
        return install(registry, project, tool_name, mount, actor, label=label)
    return make


@pytest.fixture
def add_member(registry):
    """``add_member(project, user, role="Member")``: give ``user`` a project role
    ("Admin", "Developer", "Member"), as the project's first admin."""
    from forge.actions.roles import add_member as add, role_named
    from forge.model import User

    def make(project, user, role="Member"):
        admin = User.query.get(_id=role_named(project, "Admin").user_ids[0])
        add(registry, project, role_named(project, role), user, admin)
    return make


@pytest.fixture
def browser_for(forge_app):
    """``browser_for(user)``: a new ForgeBrowser signed in as ``user`` (a User or
    a username; None: anonymous), with its own cookies."""
    def make(user=None):
        browser = ForgeBrowser(forge_app)
        if user is not None:
            browser.login(getattr(user, "username", user))
        return browser
    return make
