"""``/rest/openapi.json``: valid OpenAPI 3.1, generated from what is registered,
and the API answering as it says (schemathesis, anonymous and with a token)."""
import copy

import pytest
import schemathesis
import webtest
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate

from forge.model import session

from .conftest import Client

#: bounded and repeatable: a fixed number of examples per operation, no randomness
EXAMPLES = 12


def served(forge_app):
    return webtest.TestApp(forge_app).get("/rest/openapi.json").json


def test_the_document_is_valid_openapi_3_1(forge_app):
    document = served(forge_app)
    assert document["openapi"] == "3.1.0"
    validate(document)


def test_every_declared_type_contributes_its_schemas(forge_app, registry):
    schemas = served(forge_app)["components"]["schemas"]
    for kind in registry.forge_artifact_types.values():
        name = "".join(p.capitalize() for p in kind.name.split("."))
        assert {name, name + "Create", name + "Update"} <= set(schemas), kind.name
    note = schemas["NotesNote"]
    assert note["properties"]["labels"]["type"] == "array"
    assert note["properties"]["type"] == {"const": "notes.note"}
    assert schemas["NotesNoteCreate"]["required"] == ["title"]
    assert schemas["NotesNoteCreate"]["additionalProperties"] is False
    assert "private" in schemas["NotesNoteCreate"]["properties"]
    assert "name" not in schemas["NotesNoteUpdate"]["properties"]
    assert set(schemas["ToolInstall"]["properties"]["tool"]["enum"]) == set(
        registry.forge_tools)


def test_the_api_page_links_the_document_and_loads_no_cdn(forge_app):
    page = webtest.TestApp(forge_app).get("/rest/@@docs")
    assert 'data-spec-url="http://localhost/rest/openapi.json"' in page.text
    scripts = [s.attrs["src"] for s in page.html.find_all("script")]
    assert scripts and all(s.startswith("http://localhost/@@static-") for s in scripts)
    for src in scripts:
        webtest.TestApp(forge_app).get(src[len("http://localhost"):], status=200)


@pytest.fixture
def world_schema(forge_app, world):
    """The served document with the path parameters narrowed to the test
    world's names (plus one that does not exist), so that generated requests
    reach real nodes instead of 404s only."""
    client = Client(forge_app, world["tokens"]["ada"])
    client.send("POST", "/rest/p/demo/notes/@@items", {"title": "Guide", "text": "x"},
                status=201)
    client.send("POST", "/rest/p/demo/wiki/@@items", {"title": "Home", "name": "Home", "text": "y"},
                status=201)
    session.close()
    document = copy.deepcopy(served(forge_app))
    names = {"neighborhood": ["p", "u", "zz"], "project": ["demo", "zz"],
             "mount": ["notes", "wiki", "zz"], "artifact": ["Guide", "Home", "zz"]}
    for path in document["paths"].values():
        for operation in path.values():
            for param in operation.get("parameters", ()):
                if param["in"] == "path":
                    param["schema"] = {"type": "string", "enum": names[param["name"]]}
    schema = schemathesis.openapi.from_dict(document)
    schema.app = forge_app
    return schema


# "schema-valid request rejected": the schema cannot tell which strings are
# cursors this collection gave out, queries the type's language knows, or free
# names, so a schema-valid request may rightly be a 400; every other default
# check runs
NOT_CHECKED = [schemathesis.checks.positive_data_acceptance]
bounded = settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                   suppress_health_check=list(HealthCheck))


def exercise(schema, world, who):
    """Every operation of the document, EXAMPLES generated cases each (the
    same ones every run: derandomized), checked by schemathesis's default
    checks: no 5xx, documented status codes, content types, headers and
    response bodies conform to the schema."""
    headers = {"Authorization": "Bearer " + world["tokens"][who]} if who else {}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 28
    for operation in operations:
        @bounded
        @given(case=operation.as_strategy())
        def check(case):
            response = case.call_and_validate(headers=headers, excluded_checks=NOT_CHECKED)
            assert response.status_code < 500

        check()


def test_anonymous_calls_answer_as_documented(world_schema, world):
    exercise(world_schema, world, None)


def test_a_developers_calls_answer_as_documented(world_schema, world):
    exercise(world_schema, world, "dev")


def test_the_admins_calls_answer_as_documented(world_schema, world):
    exercise(world_schema, world, "ada")
