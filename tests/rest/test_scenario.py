"""A script as a user would write it, with httpx against a real server: create a
project, install a tool, create 100 artifacts, query them, update one with
If-Match, and handle the conflict when someone else saved first."""

import httpx
import pytest

from forge.actions.tokens import create_token
from forge.model import session
from forge.testing import served_in_thread


@pytest.fixture
def server(forge_app):
    # one thread: mim:// is an in-process store shared with the test thread
    with served_in_thread(forge_app, threads=1, name="rest-scenario",
                          ident="pyforge-rest-tests") as server:
        yield "http://127.0.0.1:%s" % server.effective_port


@pytest.fixture
def tokens(make_user):
    tokens = {}
    for name in ("ada", "bob"):
        user = make_user(name, site_admin=False)
        tokens[name] = create_token(user, "script", scope="admin")[1]
    session.close()
    return tokens


def api(base, token):
    return httpx.Client(base_url=base + "/rest", timeout=10,
                        headers={"Authorization": "Bearer " + token})


def all_pages(client, url, **params):
    items, params = [], dict(params, limit=30)
    while url:
        page = client.get(url, params=params)
        page.raise_for_status()
        body = page.json()
        items.extend(body["items"])
        url, params = body["next"], None          # the next link holds the query
    return items


def test_a_script_from_project_to_conflict(server, tokens):
    with api(server, tokens["ada"]) as ada:
        created = ada.post("/p/@@projects", json={"shortname": "scripted",
                                                  "title": "Scripted", "description": "by API"})
        assert created.status_code == 201, created.text
        project = created.json()
        tool = ada.post(project["tools_url"], json={"tool": "notes", "mount": "notes"})
        assert tool.status_code == 201, tool.text
        items_url = tool.json()["items_url"]

        for n in range(100):
            labels = ["even"] if n % 2 == 0 else ["odd"]
            if n % 10 == 0:
                labels.append("tenth")
            response = ada.post(items_url, json={"title": "Note %03d" % n,
                                                 "text": "Body %d" % n, "labels": labels})
            assert response.status_code == 201, response.text

        everything = all_pages(ada, items_url)
        assert [i["title"] for i in everything] == ["Note %03d" % n for n in range(100)]
        tenth = all_pages(ada, items_url, q="label:even label:tenth")
        assert [i["title"] for i in tenth] == ["Note %03d" % n for n in range(0, 100, 10)]
        assert all_pages(ada, items_url, q='title:"Note 042"')[0]["text"] == "Body 42"

        # read, then someone else saves first
        url = tenth[3]["url"]
        mine = ada.get(url)
        etag = mine.headers["ETag"]
        with api(server, tokens["ada"]) as other:
            theirs = other.patch(url, json={"text": "Their edit"}, headers={"If-Match": etag})
            assert theirs.status_code == 200 and theirs.headers["ETag"] == '"2"'
        refused = ada.patch(url, json={"text": "My edit"}, headers={"If-Match": etag})
        assert refused.status_code == 412
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["current_version"] == 2
        # what a script does: read again, merge, retry with the new ETag
        fresh = ada.get(url)
        merged = fresh.json()["text"] + "\n\nMy edit"
        saved = ada.patch(url, json={"text": merged, "comment": "merged"},
                          headers={"If-Match": fresh.headers["ETag"]})
        assert saved.status_code == 200
        assert saved.json()["text"] == "Their edit\n\nMy edit"
        assert saved.json()["version"] == 3
        # without If-Match a script is told what to send
        blind = ada.patch(url, json={"text": "blind"})
        assert blind.status_code == 428 and blind.headers["ETag"] == '"3"'
        # conditional GET: nothing to download while nothing changed
        assert ada.get(url, headers={"If-None-Match": '"3"'}).status_code == 304

    with api(server, tokens["bob"]) as bob:
        # bob is no member: he reads the public project but may not write to it
        assert bob.get(url).status_code == 200
        assert bob.patch(url, json={"text": "x"}, headers={"If-Match": '"3"'}).status_code \
            == 403
