"""Bad input over REST: always a 4xx problem document, never a 5xx, nothing saved."""
import json

import pytest

from forge.model import session
from tools.notes.model import Note

ITEMS = "/rest/p/demo/notes/@@items"


def assert_problem(response, status):
    assert response.status_int == status, response.body[:300]
    assert response.content_type == "application/problem+json"
    body = response.json
    assert body["status"] == status and body["title"] and body["detail"]
    return body


def nothing_saved(world):
    session.close()
    return Note.query.find({"tool_id": world["notes"]._id}).count() == 0


@pytest.mark.parametrize("content_type, raw, status", [
    ("text/plain", b'{"title": "x"}', 415),
    ("application/x-www-form-urlencoded", b"title=x", 415),
    ("application/json", b'{"title": "x"', 400),
    ("application/json", b"", 400),
    ("application/json", b"[1, 2]", 400),
    ("application/json", b'"just a string"', 400),
    ("application/json", b'{"title": NaN}', 400),
    ("application/json", b'{"title": "\xff\xfe"}', 400),
    ("application/json", b"[" * 100000 + b"]" * 100000, 400),
    ("application/json", b'{"a": ' * 50 + b"1" + b"}" * 50, 400),
    ("application/json", b'{"title": {"nested": {"deeper": [1]}}}', 422),
    ("application/json", b'{"title": 12}', 422),
    ("application/json", b'{"title": null}', 422),
    ("application/json", b'{"title": "ok", "labels": [1, 2]}', 422),
    ("application/json", b'{"title": "ok", "custom": {"nope": 1}}', 422),
    ("application/json", b'{"title": "ok", "ext": []}', 422),
    ("application/json", b'{"title": "a\\u0000b"}', 422),
    ("application/json; charset=latin-1", b'{"title": "x"}', 415),
])
def test_bad_bodies(client, world, content_type, raw, status):
    response = client("ada").send("POST", ITEMS, raw=raw, content_type=content_type,
                                  status=status)
    assert_problem(response, status)
    assert nothing_saved(world)


def test_huge_body_is_413(client, world, registry):
    limit = registry.settings["forge.max_body_bytes"]
    raw = json.dumps({"title": "x", "text": "a" * (limit + 10)}).encode()
    assert_problem(client("ada").send("POST", ITEMS, raw=raw, status=413), 413)
    assert nothing_saved(world)


def test_text_over_the_fields_limit_is_422(client, world):
    raw = json.dumps({"title": "x", "text": "a" * (256 * 1024 + 1)}).encode()
    body = assert_problem(client("ada").send("POST", ITEMS, raw=raw, status=422), 422)
    assert "text" in body["errors"]


@pytest.mark.parametrize("query", [
    "cursor=not-base64!!", "cursor=" + "A" * 5000, "cursor=e30",   # {} is no cursor
    "limit=0", "limit=101", "limit=abc", "limit=99999999999999999999",
    "q=status:open", "q=bare-word", 'q="unclosed', "q=" + "label:x " * 30,
])
def test_bad_collection_parameters(client, query):
    assert_problem(client("ada").get(ITEMS + "?" + query, status=400), 400)


def test_a_cursor_from_another_collection_is_refused(client):
    ada = client("ada")
    for n in range(3):
        ada.send("POST", ITEMS, {"title": "n%d" % n}, status=201)
    page = ada.get(ITEMS + "?limit=1").json
    cursor = page["next"].split("cursor=")[1]
    assert_problem(ada.get("/rest/p/demo/wiki/@@items?cursor=" + cursor, status=400), 400)
    assert_problem(ada.get("/rest/p/@@projects?cursor=" + cursor, status=400), 400)


@pytest.mark.parametrize("header", ['"abc"', "garbage", '"99999999999999999999999"', ""])
def test_bad_if_match_is_412(client, header):
    ada = client("ada")
    url = ada.send("POST", ITEMS, {"title": "x"}, status=201).headers["Location"]
    status = 428 if header == "" else 412
    response = ada.send("PATCH", url, {"text": "y"}, headers={"If-Match": header},
                        status=status) if header else ada.send("PATCH", url, {"text": "y"},
                                                               status=428)
    assert_problem(response, status)


@pytest.mark.parametrize("url", ["/rest/p/demo/%FF/", "/rest/p/demo/notes/%00/",
                                 "/rest/p/demo/notes/@@items/extra",
                                 "/rest/p/" + "x/" * 300])
def test_odd_paths_are_4xx(client, url):
    response = client("ada").get(url, status="*")
    assert 400 <= response.status_int < 500
    assert response.content_type == "application/problem+json"


def test_project_and_tool_bodies(client, world):
    ada = client("ada")
    assert_problem(ada.send("POST", "/rest/p/@@projects", {"shortname": 5, "title": "x"},
                            status=422), 422)
    assert_problem(ada.send("POST", "/rest/p/@@projects", {"title": "x"}, status=422), 422)
    assert_problem(ada.send("POST", "/rest/p/@@projects", {"shortname": "Bad Name!",
                                                           "title": "x"}, status=400), 400)
    assert_problem(ada.send("POST", "/rest/p/demo/@@tools", {"tool": "no-such-tool"},
                            status=400), 400)
    assert_problem(ada.send("POST", "/rest/p/demo/@@tools", {"tool": "notes",
                                                             "mount": "notes"},
                            status=400), 400)
    assert_problem(ada.send("PATCH", "/rest/p/demo/", {"private": "yes"},
                            headers={"If-Match": '"0"'}, status=422), 422)
