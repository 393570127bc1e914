"""GET of every kind of node under /rest, conditional GETs, 401/404/405 as on the web."""
import pytest

from forge.actions.projects import create_project
from forge.model import Neighborhood, session

from .conftest import PEOPLE


def test_site_lists_neighborhoods(client):
    body = client().get("/rest/").json
    assert body["kind"] == "site"
    assert [nb["name"] for nb in body["neighborhoods"]] == ["p", "u"]
    assert body["neighborhoods"][0]["url"] == "http://localhost/rest/p/"


def test_project_tool_and_collections(client):
    ada = client("ada")
    project = ada.get("/rest/p/demo/").json
    assert project["shortname"] == "demo" and project["private"] is False
    assert project["tools_url"] == "http://localhost/rest/p/demo/@@tools"
    tools = ada.get(project["tools_url"]).json
    assert [t["mount"] for t in tools["items"]] == ["notes", "wiki"]
    assert tools["next"] is None
    notes = ada.get("/rest/p/demo/notes/").json
    assert notes["artifact_types"] == ["notes.note"]
    assert notes["items_url"].endswith("/rest/p/demo/notes/@@items")


def test_subprojects_at_depth(client, world, registry):
    nb = Neighborhood.query.get(name="p")
    a = create_project(registry, nb, "a", "A", world["ada"], parent=world["project"])
    create_project(registry, nb, "b", "B", world["ada"], parent=a)
    session.close()
    ada = client("ada")
    assert [p["shortname"] for p in ada.get("/rest/p/demo/@@subprojects").json["items"]] \
        == ["demo/a"]
    deep = ada.get("/rest/p/demo/a/b/").json
    assert deep["shortname"] == "demo/a/b"
    assert deep["url"] == "http://localhost/rest/p/demo/a/b/"


def test_etag_and_if_none_match(client):
    ada = client("ada")
    first = ada.get("/rest/p/demo/")
    assert first.headers["ETag"] == '"0"'
    ada.get("/rest/p/demo/", status=304, headers={"If-None-Match": first.headers["ETag"]})
    ada.get("/rest/p/demo/", status=200, headers={"If-None-Match": '"7"'})
    listing = ada.get("/rest/p/demo/@@tools")
    ada.get("/rest/p/demo/@@tools", status=304,
            headers={"If-None-Match": listing.headers["ETag"]})


def test_missing_node_is_a_problem_document(client):
    response = client().get("/rest/p/nothing-here/", status=404)
    assert response.content_type == "application/problem+json"
    assert response.json["status"] == 404 and response.json["title"] == "Not found"


def test_private_project_is_404_to_who_may_not_read_it(client, world, registry, make_project):
    make_project("secret", world["ada"], private=True)
    session.close()
    for who in (None, "out"):
        response = client(who).get("/rest/p/secret/", status=404)
        assert response.json["detail"] == \
            client(who).get("/rest/p/nothing/", status=404).json["detail"]
        client(who).get("/rest/p/secret/@@tools", status=404)
        # a write to it is a 404 too, never a 401 or 403 that tells it exists
        client(who).send("PATCH", "/rest/p/secret/", {"title": "x"}, status=404,
                         headers={"If-Match": '"0"'})
    assert client("ada").get("/rest/p/secret/").json["private"] is True


def test_anonymous_write_on_a_readable_node_is_401(client):
    response = client().send("POST", "/rest/p/demo/notes/@@items", {"title": "x"},
                             status=401)
    assert response.content_type == "application/problem+json"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_signed_in_but_not_allowed_is_403(client):
    client("out").send("POST", "/rest/p/demo/notes/@@items", {"title": "x"}, status=403)
    client("mem").send("POST", "/rest/p/demo/@@tools", {"tool": "notes", "mount": "n2"},
                       status=403)


def test_method_not_allowed_is_405_for_readers_and_404_otherwise(client, make_project,
                                                                  world):
    response = client("ada").send("DELETE", "/rest/p/demo/", status=405)
    assert response.json["status"] == 405
    assert response.headers["Allow"] == "GET, HEAD, PATCH"
    assert client("ada").send("PUT", "/rest/p/demo/@@tools", {}, status=405).headers[
        "Allow"] == "GET, HEAD, POST"
    client("ada").send("PUT", "/rest/p/demo/notes/@@items", {}, status=405)
    client("ada").send("POST", "/rest/p/demo/notes/", {}, status=405)
    client("ada").get("/rest/p/demo/@@nonsense", status=404)
    make_project("hidden", world["ada"], private=True)
    session.close()
    client("out").send("DELETE", "/rest/p/hidden/", status=404)


def test_bad_token_is_a_401_problem(client, forge_app):
    from .conftest import Client
    response = Client(forge_app, "pf_not-a-token").get("/rest/p/demo/", status=401)
    assert response.content_type == "application/problem+json"


@pytest.mark.parametrize("who", PEOPLE)
def test_every_member_reads_the_public_tree(client, who):
    assert client(who).get("/rest/p/demo/notes/@@items").json == {"items": [], "next": None}
