"""The example host application (examples/hostapp) with the forge at /forge/
and the demo project's wiki at /docs/."""
import os
import sys

import pytest
import webtest

from forge.testing import CSRF, PASSWORD, forge_test_settings
from forge.testing_apps import fresh_app

HOSTAPP = os.path.join(os.path.dirname(__file__), "..", "..", "examples", "hostapp")
if HOSTAPP not in sys.path:
    sys.path.insert(0, os.path.abspath(HOSTAPP))

FORGE_BODY_LIMIT = 4096


def host_settings(**overrides):
    settings = forge_test_settings(**{
        "forge.load_tool_entry_points": "false",
        "forge.max_body_bytes": str(FORGE_BODY_LIMIT),
        "hostapp.secret": "host-secret",
        "hostapp.max_body_bytes": str(16 * FORGE_BODY_LIMIT),
    })
    settings.update(overrides)
    return settings


def make_host_app(settings):
    from hostapp import make_app
    return make_app(settings, workers=False)


@pytest.fixture
def host_app():
    """The host app, configured once per session and made as new (its forge's
    database emptied, its state renewed) before each test (``fresh_app``)."""
    return fresh_app(host_settings(), make=make_host_app)


@pytest.fixture
def world(host_app):
    """ada admins "demo" (public, with a wiki at /docs/) and "closed" (private,
    with a wiki); bob is only signed up."""
    from forge.actions.projects import create_project, install_tool
    from forge.actions.users import create_user
    from forge.model import Neighborhood, session
    registry = host_app.registry
    ada = create_user(registry, "ada", "ada@example.test", PASSWORD)
    create_user(registry, "bob", "bob@example.test", PASSWORD)
    nb = Neighborhood.query.get(name="p")
    demo = create_project(registry, nb, "demo", "Demo Project", ada)
    install_tool(registry, demo, "wiki", "wiki", ada)
    closed = create_project(registry, nb, "closed", "Closed Project", ada, private=True)
    install_tool(registry, closed, "wiki", "wiki", ada)
    session.close()
    return host_app


@pytest.fixture
def browser(world):
    return webtest.TestApp(world)


def forge_login(app, username):
    token = CSRF.search(app.get("/forge/@@login").text).group(1)
    app.post("/forge/@@login", {"username": username, "password": PASSWORD,
                                "csrf_token": token}, status=302)
    return CSRF.search(app.get("/forge/@@account").text).group(1)
