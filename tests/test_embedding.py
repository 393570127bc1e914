"""Another Pyramid application embeds the forge core under /forge/."""
import pytest
import webtest
from pyramid.config import Configurator
from pyramid.response import Response

from forge.settings import parse_settings
from forge.testing import CSRF, PASSWORD, forge_test_settings
from forge.testing_apps import fresh_app


def host_home(request):
    return Response("<h1>The host application</h1>")


def host_about(request):
    return Response("about the host")


def make_host_app(settings):
    with Configurator(settings=parse_settings(settings)) as config:
        config.add_route("home", "/")
        config.add_view(host_home, route_name="home")
        config.add_route("about", "/about")
        config.add_view(host_about, route_name="about")
        config.include("forge")
        config.include("tools.notes")
        config.include("forge.embedding")
        config.mount_forge("/forge", workers=False)   # the tests deliver events themselves
    return config.make_wsgi_app()


@pytest.fixture
def host():
    # configured once per session, made as new (empty database) for each test
    app = fresh_app(forge_test_settings(**{"forge.load_tool_entry_points": "false"}),
                    make=make_host_app)
    from forge.actions.projects import create_project
    from forge.actions.users import create_user
    from forge.model import Neighborhood
    registry = app.registry
    ada = create_user(registry, "ada", "ada@example.test", PASSWORD)
    bob = create_user(registry, "bob", "bob@example.test", PASSWORD)
    nb = Neighborhood.query.get(name="p")
    create_project(registry, nb, "open", "Open Project", ada)
    create_project(registry, nb, "closed", "Closed Project", ada, private=True)
    return webtest.TestApp(app), bob


def test_host_keeps_its_own_pages(host):
    app, _ = host
    assert "The host application" in app.get("/").text
    assert app.get("/about").text == "about the host"


def test_forge_pages_under_the_prefix_with_prefixed_links(host):
    app, _ = host
    page = app.get("/forge/p/open/")
    assert "Open Project" in page.text
    assert 'href="http://localhost/forge/p/open/' in page.text
    assert 'href="http://localhost/p/' not in page.text
    assert "Open Project" in app.get("/forge/").text


def test_same_permissions_when_embedded(host):
    app, _ = host
    assert app.get("/forge/p/closed/", status="*").status_int == 404
    # the login redirect stays under the prefix
    response = app.get("/forge/p/open/@@permissions", status=302)
    assert response.location.startswith("http://localhost/forge/@@login")
    # a signed-in non-member still cannot see the private project
    login = app.get("/forge/@@login")
    token = CSRF.search(login.text).group(1)
    app.post("/forge/@@login", {"username": "bob", "password": PASSWORD,
                                "csrf_token": token}, status=302)
    assert app.get("/forge/p/closed/", status="*").status_int == 404
    assert "Closed Project" not in app.get("/forge/").text
