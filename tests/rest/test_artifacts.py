"""Artifacts over REST: create, read, update with If-Match, delete, nesting,
privacy, and that writes go through the same actions as the web forms."""
from forge.bus.auditing import Rejected
from forge.bus.registry import Auditor
from forge.model import Snapshot, session
from forge.model.change_log import ChangeLogEntry
from forge.model.outbox import OutboxEvent
from tools.notes.model import Note

ITEMS = "/rest/p/demo/notes/@@items"


def create(c, title, status=201, url=ITEMS, **fields):
    return c.send("POST", url, dict(fields, title=title), status=status)


def test_create_read_and_the_web_page_agree(client, forge_app, world):
    ada = client("ada")
    response = create(ada, "Road map", text="# Plan", labels=["ui", "q1"])
    assert response.headers["Location"] == "http://localhost/rest/p/demo/notes/Road%20map/"
    assert response.headers["ETag"] == '"1"'
    body = response.json
    assert body["name"] == "Road map" and body["path"] == "Road map"
    assert body["labels"] == ["ui", "q1"] and body["text"] == "# Plan"
    assert body["author"] == "ada" and body["version"] == 1 and body["private"] is False
    got = client("mem").get(response.headers["Location"]).json
    assert got == body
    session.close()
    note = Note.query.get(tool_id=world["notes"]._id, path="Road map")
    assert note.labels == ["ui", "q1"] and note.text == "# Plan"
    # versions, the audit log and the event: the same unit of work as the form
    assert Snapshot.query.find({"artifact_id": note._id}).count() == 1
    assert OutboxEvent.query.find({"topic": "notes.note.created"}).count() == 1
    assert client().get("/rest/p/demo/notes/Road%20map/").json["title"] == "Road map"


def test_update_needs_if_match_and_refuses_a_stale_one(client, world):
    ada, dev = client("ada"), client("dev")
    url = create(ada, "Plan", text="v1").headers["Location"]
    missing = dev.send("PATCH", url, {"text": "v2"}, status=428)
    assert missing.json["current_version"] == 1 and missing.headers["ETag"] == '"1"'
    saved = dev.send("PATCH", url, {"text": "v2", "comment": "second"},
                     headers={"If-Match": '"1"'}, status=200)
    assert saved.headers["ETag"] == '"2"' and saved.json["text"] == "v2"
    assert saved.json["title"] == "Plan"        # PATCH keeps what it does not name
    # ada edits the version she read (1): refused, nothing overwritten
    stale = ada.send("PATCH", url, {"text": "mine"}, headers={"If-Match": '"1"'},
                     status=412)
    assert stale.json["current_version"] == 2 and stale.headers["ETag"] == '"2"'
    assert stale.content_type == "application/problem+json"
    assert ada.get(url).json["text"] == "v2"
    session.close()
    note = Note.query.get(tool_id=world["notes"]._id, path="Plan")
    assert note.version == 2
    assert [s.comment for s in Snapshot.query.find({"artifact_id": note._id}).sort(
        "version", 1)] == ["created", "second"]


def test_put_replaces_every_field(client):
    ada = client("ada")
    url = create(ada, "Full", text="t", labels=["a"]).headers["Location"]
    body = ada.send("PUT", url, {"title": "Full", "text": "new"}, headers={"If-Match": '"1"'},
                    status=200).json
    assert body["labels"] == [] and body["text"] == "new"
    ada.send("PUT", url, {"text": "no title"}, headers={"If-Match": '"2"'}, status=422)


def test_delete_needs_if_match(client):
    ada = client("ada")
    url = create(ada, "Gone").headers["Location"]
    ada.send("DELETE", url, status=428)
    ada.send("DELETE", url, headers={"If-Match": '"9"'}, status=412)
    client("mem").send("DELETE", url, headers={"If-Match": '"1"'}, status=403)
    ada.send("DELETE", url, headers={"If-Match": '"1"'}, status=204)
    ada.get(url, status=404)
    session.close()
    assert ChangeLogEntry.query.find({"action": "notes.delete"}).count() == 1


def test_validation_errors_are_per_field(client):
    ada = client("ada")
    response = ada.send("POST", ITEMS, {"title": "", "labels": "not-a-list", "colour": "red",
                                        "version": 3}, status=422)
    errors = response.json["errors"]
    assert set(errors) == {"labels", "colour", "version"}
    assert errors["colour"] == "Unknown field."
    response = ada.send("POST", ITEMS, {"title": "  "}, status=422)
    assert "title" in response.json["errors"]
    assert ada.get(ITEMS).json["items"] == []


def test_a_taken_name_is_refused_without_saying_more(client):
    ada = client("ada")
    create(ada, "Same")
    response = create(ada, "Same", status=400)
    assert response.json["title"] == "Not saved"


def test_nested_notes_and_children_collection(client):
    ada = client("ada")
    guide = create(ada, "Guide").json
    child = create(ada, "Install", url=guide["items_url"], name="install").json
    assert child["path"] == "Guide/install"
    assert child["url"] == "http://localhost/rest/p/demo/notes/Guide/install/"
    assert [c["path"] for c in ada.get(guide["items_url"]).json["items"]] == ["Guide/install"]
    assert [c["path"] for c in ada.get(ITEMS).json["items"]] == ["Guide"]


def test_private_note_is_404_to_who_may_not_read_it(client):
    dev = client("dev")
    url = create(dev, "Secret plan", private=True, text="marker-x").headers["Location"]
    assert client("ada").get(url).json["private"] is True
    for who in (None, "out", "mem"):
        client(who).get(url, status=404)
        assert client(who).get(ITEMS).json["items"] == []
        client(who).send("PATCH", url, {"text": "x"}, headers={"If-Match": '"1"'},
                         status=404)


def test_permissions_are_the_web_pages(client, world, registry):
    """A Member may create notes (the notes tool's @@new needs create) but not
    forums (the discussion tool's @@new needs admin); the admin may do both."""
    from forge.actions.projects import install_tool
    install_tool(registry, world["project"], "discussion", "forums", world["ada"])
    session.close()
    forum = {"title": "Help", "name": "help", "description": "Ask here"}
    client("mem").send("POST", "/rest/p/demo/forums/@@items", forum, status=403)
    created = client("ada").send("POST", "/rest/p/demo/forums/@@items", forum, status=201)
    assert created.json["type"] == "discussion.forum"
    assert created.json["description"] == "Ask here"
    create(client("mem"), "A member's note")
    client("mem").send("PATCH", created.headers["Location"], {"description": "x"},
                       headers={"If-Match": '"1"'}, status=403)


def test_an_auditor_refusal_is_a_problem_and_saves_nothing(client, registry, monkeypatch):
    def refuse(change):
        if "forbidden" in change.new.get("text", ""):
            raise Rejected("No forbidden words.", 409)

    monkeypatch.setattr(registry, "forge_auditors", list(registry.forge_auditors) + [
        Auditor(name="test.refuse", topic="notes.note.created", fn=refuse, priority=100)])
    response = create(client("ada"), "Words", text="a forbidden word", status=409)
    assert response.json["detail"] == "No forbidden words."
    assert client("ada").get(ITEMS).json["items"] == []
    session.close()
    assert OutboxEvent.query.find({"topic": "notes.note.created"}).count() == 0


def test_a_type_that_names_its_artifacts_itself(client, world, registry):
    """Tickets have no name field: the tracker's actions number them; its
    choice fields start at the form's defaults and are checked by the form."""
    from forge.actions.projects import install_tool
    install_tool(registry, world["project"], "tracker", "tickets", world["ada"])
    session.close()
    dev = client("dev")
    url = "/rest/p/demo/tickets/@@items"
    first = dev.send("POST", url, {"title": "Crash", "labels": ["ui"]}, status=201).json
    assert first["name"] == "1" and first["status"] == "open"
    assert first["url"] == "http://localhost/rest/p/demo/tickets/1/"
    dev.send("POST", url, {"title": "Slow", "status": "closed"}, status=201)
    errors = dev.send("POST", url, {"title": "X", "status": "nonsense",
                                    "assigned_to": "nobody"}, status=422).json["errors"]
    assert set(errors) == {"status", "assigned_to"}
    titles = [t["title"] for t in dev.get(url, params={"q": "status:open label:ui"}).json[
        "items"]]
    assert titles == ["Crash"]
    saved = dev.send("PATCH", first["url"], {"status": "closed", "assigned_to": "dev"},
                     headers={"If-Match": '"1"'}, status=200).json
    assert saved["status"] == "closed" and saved["assigned_to"] == "dev"
    assert [t["title"] for t in dev.get(url, params={"q": "assigned_to:dev"}).json[
        "items"]] == ["Crash"]
