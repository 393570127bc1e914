"""``?q=`` on artifact collections: the core's language and a tool's declared one."""
import pytest

from forge.actions.fields import add_custom_field
from forge.model import ToolInstance, session

ITEMS = "/rest/p/demo/notes/@@items"


@pytest.fixture
def notes(client, world, registry):
    tool = ToolInstance.query.get(_id=world["notes"]._id)
    add_custom_field(registry, tool, "area", "Area", "select", world["ada"],
                     options=["ui", "db"])
    session.close()
    ada = client("ada")
    for title, labels, area in (("One", ["x"], "ui"), ("Two", ["x", "y"], "db"),
                                ("Three", ["y"], "ui")):
        ada.send("POST", ITEMS, {"title": title, "labels": labels, "custom": {"area": area}},
                 status=201)
    return ada


def titles(client, q):
    return [i["title"] for i in client.get(ITEMS, params={"q": q}).json["items"]]


def test_core_query_language(notes):
    assert titles(notes, "label:x") == ["One", "Two"]
    assert titles(notes, "label:x label:y") == ["Two"]
    assert titles(notes, "custom.area:ui") == ["One", "Three"]
    assert titles(notes, "custom.area:ui label:y") == ["Three"]
    assert titles(notes, 'title:"Two"') == ["Two"]
    assert titles(notes, "") == ["One", "Three", "Two"]


def test_a_query_pages_with_its_cursor(notes):
    first = notes.get(ITEMS, params={"q": "label:x", "limit": "1"}).json
    assert [i["title"] for i in first["items"]] == ["One"]
    second = notes.get(first["next"]).json
    assert [i["title"] for i in second["items"]] == ["Two"] and second["next"] is None
    # a cursor of the query is not a cursor of the whole collection
    cursor = first["next"].split("cursor=")[1]
    notes.get(ITEMS + "?cursor=" + cursor, status=400)


@pytest.mark.parametrize("q", ["title:One title:Two", "custom.nope:x", "text:x",
                               "deleted:true", "tool_id:x"])
def test_what_the_language_does_not_know_is_400(notes, q):
    body = notes.get(ITEMS, params={"q": q}, status=400).json
    assert body["title"] == "Invalid query"


def test_a_declared_query_language_is_used_and_cannot_widen(notes, registry, monkeypatch):
    def parse(q, tool_node):
        if q == "everything":
            return {"tool_id": "another tool"}
        if q != "starred":
            raise ValueError("Only 'starred' is known.")
        return {"labels": "y"}

    monkeypatch.setitem(registry.forge_rest_queries, "notes.note", parse)
    assert titles(notes, "starred") == ["Three", "Two"]
    assert notes.get(ITEMS, params={"q": "label:x"}, status=400).json["detail"] == \
        "Only 'starred' is known."
    assert "sets itself" in notes.get(ITEMS, params={"q": "everything"}, status=400
                                      ).json["detail"]
