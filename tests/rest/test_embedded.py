"""The REST API under an embedded forge's mount: examples/hostapp mounts the
forge at /forge/, so the API is /forge/rest/, with links, cursors, Location
headers, problem types and the OpenAPI server under the mount, and nothing at
the host's own /rest/."""
import pytest
import webtest

from forge.actions.tokens import create_token
from forge.model import User, session
from tests.embedding.conftest import host_settings


@pytest.fixture
def host():
    """ada admins "demo" (public, a wiki) and "closed" (private); her token."""
    from hostapp import make_app
    from forge.actions.projects import create_project, install_tool
    from forge.actions.users import create_user
    from forge.model import Neighborhood
    from forge.testing import PASSWORD, reset_database
    settings = host_settings()
    reset_database(settings)
    host_app = make_app(settings, workers=False)
    registry = host_app.registry
    ada = create_user(registry, "ada", "ada@example.test", PASSWORD)
    nb = Neighborhood.query.get(name="p")
    demo = create_project(registry, nb, "demo", "Demo Project", ada)
    install_tool(registry, demo, "wiki", "wiki", ada)
    create_project(registry, nb, "closed", "Closed Project", ada, private=True)
    token = create_token(User.query.get(username="ada"), "host", scope="admin")[1]
    session.close()
    return webtest.TestApp(host_app), {"Authorization": "Bearer " + token}


def test_the_api_is_under_the_mount(host):
    app, _ada = host
    site = app.get("/forge/rest/").json
    assert site["url"] == "http://localhost/forge/rest/"
    assert site["html_url"] == "http://localhost/forge/"
    p = app.get(site["neighborhoods"][0]["url"]).json
    assert p["projects_url"] == "http://localhost/forge/rest/p/@@projects"
    demo = app.get("/forge/rest/p/demo/").json
    assert demo["html_url"] == "http://localhost/forge/p/demo/"
    assert demo["tools_url"] == "http://localhost/forge/rest/p/demo/@@tools"
    # the host's own /rest is the host's: its 404 page, not the API
    missing = app.get("/rest/p/demo/", status=404)
    assert "Host: page not found" in missing.text


def test_cursors_follow_the_mount(host):
    app, ada = host
    first = app.get("/forge/rest/p/@@projects?limit=1", headers=ada)
    assert [p["shortname"] for p in first.json["items"]] == ["closed"]
    assert first.json["next"].startswith("http://localhost/forge/rest/p/@@projects?")
    assert first.headers["Link"] == '<%s>; rel="next"' % first.json["next"]
    second = app.get(first.json["next"], headers=ada).json
    assert [p["shortname"] for p in second["items"]] == ["demo"]
    assert second["next"] is None


def test_location_of_a_created_node_is_under_the_mount(host):
    app, ada = host
    made = app.post_json("/forge/rest/p/@@projects", {"shortname": "made", "title": "Made"},
                         headers=ada, status=201)
    assert made.headers["Location"] == "http://localhost/forge/rest/p/made/"
    assert made.json["url"] == made.headers["Location"]
    tool = app.post_json("/forge/rest/p/made/@@tools", {"tool": "wiki"}, headers=ada,
                         status=201)
    assert tool.headers["Location"] == "http://localhost/forge/rest/p/made/wiki/"


def test_private_nodes_and_problems_under_the_mount(host):
    app, ada = host
    hidden = app.get("/forge/rest/p/closed/", status=404)
    assert hidden.content_type == "application/problem+json"
    assert hidden.json["type"] == "/forge/rest/@@docs#problem-404"
    assert app.get("/forge/rest/p/closed/", headers=ada).json["private"] is True
    anonymous_write = app.post_json("/forge/rest/p/@@projects", {"shortname": "x",
                                                                 "title": "X"}, status=401)
    assert anonymous_write.content_type == "application/problem+json"
    assert anonymous_write.headers["WWW-Authenticate"].startswith("Bearer")


def test_openapi_server_is_the_mount(host):
    app, _ada = host
    document = app.get("/forge/rest/openapi.json").json
    assert document["servers"] == [{"url": "http://localhost/forge"}]
    assert "/rest/{neighborhood}/{project}/" in document["paths"]
    page = app.get("/forge/rest/@@docs")
    assert 'data-spec-url="http://localhost/forge/rest/openapi.json"' in page.text
