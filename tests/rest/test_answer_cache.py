"""REST answers kept per API token (``forge.rest.answer_cache``): served again
while nothing changed, and never once something did."""
import time

import pytest

from forge.actions.projects import update_project
from forge.actions.tokens import create_token, revoke_token
from forge.model import ApiToken, Project, User, session
from forge.model.session import collection
from forge.page_cache import HEADER

ITEMS = "/rest/p/demo/notes/@@items"


def kept(client, url, **kw):
    """GET twice; the second answer must come from the cache."""
    first = client.get(url, **kw)
    second = client.get(url, **kw)
    assert second.headers[HEADER] == "hit", url
    assert second.body == first.body
    return second


def test_an_answer_is_kept_and_its_etag_answers_if_none_match(client, world):
    ada = client("ada")
    first = ada.get("/rest/p/demo/notes/")
    assert first.headers[HEADER] == "miss"
    hit = kept(ada, "/rest/p/demo/notes/")
    assert hit.headers["ETag"] == first.headers["ETag"]         # the view's own: a version
    assert hit.headers["Content-Type"].startswith("application/json")
    response = ada.get("/rest/p/demo/notes/", status=304,
                       headers={"If-None-Match": first.headers["ETag"]})
    assert response.headers[HEADER] == "hit"


def test_a_revoked_token_is_401_at_once(client, world):
    kept(client("mem"), ITEMS)
    [record] = ApiToken.query.find({"user_id": world["mem"]._id}).all()
    revoke_token(User.query.get(_id=world["mem"]._id), record._id)
    session.close()
    response = client("mem").get(ITEMS, status=401)
    assert "was revoked" in response.text


def test_a_disabled_users_token_is_401_at_once(client, world):
    kept(client("mem"), ITEMS)
    mem = User.query.get(_id=world["mem"]._id)
    mem.disabled = True
    session.flush()
    session.close()
    response = client("mem").get(ITEMS, status=401)
    assert "disabled" in response.text


def test_an_expired_token_is_401_though_nothing_was_written(client, world, monkeypatch):
    record, token = create_token(User.query.get(_id=world["mem"]._id), "short", expires_days=1)
    session.close()
    # expiring in seconds (a write no page shows): the key, which holds the
    # date, stays the same, so only the check on the hit can refuse it
    now = time.time()
    collection(ApiToken, bump=False).update_one({"_id": record._id},
                                                {"$set": {"expires": now + 5}})
    short = client()
    short.token = token
    kept(short, ITEMS)
    monkeypatch.setattr(time, "time", lambda: now + 6)
    response = short.get(ITEMS, status=401)
    assert "expired" in response.text


def test_a_write_by_another_user_gives_a_new_body(client, world):
    kept(client("mem"), ITEMS)
    client("dev").send("POST", ITEMS, {"title": "Fresh"}, status=201)
    response = client("mem").get(ITEMS)
    assert response.headers[HEADER] == "miss"
    assert [item["title"] for item in response.json["items"]] == ["Fresh"]


def test_a_project_made_private_is_404_at_once(client, world, registry):
    kept(client("out"), "/rest/p/demo/notes/")
    project = Project.query.get(_id=world["project"]._id)
    update_project(registry, project, project.title, project.description, True, world["ada"])
    session.close()
    client("out").get("/rest/p/demo/notes/", status=404)
    client("mem").get("/rest/p/demo/notes/")          # a member still reads it


def test_tokens_with_other_scopes_never_share_answers(client, world, make_project):
    ada = User.query.get(_id=world["ada"]._id)
    make_project("other", ada)
    demo = Project.query.get(_id=world["project"]._id)
    read_token = create_token(ada, "read only", scope="read")[1]
    demo_token = create_token(ada, "demo only", scope="admin", project=demo)[1]
    session.close()
    admin, reader, demo_only = client("ada"), client(), client()
    reader.token, demo_only.token = read_token, demo_token
    kept(admin, "/rest/p/demo/@@acl")
    kept(admin, "/rest/p/other/")
    assert reader.get("/rest/p/demo/@@acl", status=(403, 404)).headers.get(HEADER) != "hit"
    assert demo_only.get("/rest/p/other/", status=404).headers.get(HEADER) != "hit"
    kept(demo_only, "/rest/p/demo/@@acl")


def test_a_cookie_request_never_gets_a_tokens_answer(client, world):
    url = "/rest/p/demo/notes/"
    kept(client("ada"), url)
    ada = client("ada")
    ada.app.set_cookie("forge_session", "not-a-session")
    response = ada.get(url)                     # the same token, with a cookie
    assert response.headers.get(HEADER) != "hit"
    anonymous = client()
    anonymous.app.set_cookie("forge_session", "not-a-session")
    assert anonymous.get(url).headers.get(HEADER) != "hit"


@pytest.mark.parametrize("accept", ["application/json", "application/problem+json"])
def test_the_key_holds_the_url_and_accept(client, world, accept):
    mem = client("mem")
    kept(mem, "/rest/p/demo/notes/", headers={"Accept": accept})
    assert mem.get("/rest/p/demo/wiki/", headers={"Accept": accept}).headers[HEADER] == "miss"
    assert mem.get(ITEMS + "?limit=5", headers={"Accept": accept}).headers[HEADER] == "miss"


def test_hits_keep_the_last_used_time_at_most_once_a_minute(client, world, monkeypatch):
    mem = client("mem")
    kept(mem, ITEMS)
    [record] = ApiToken.query.find({"user_id": world["mem"]._id}).all()
    first = record.last_used
    assert first is not None
    session.close()
    later = time.time() + 61
    monkeypatch.setattr(time, "time", lambda: later)
    assert mem.get(ITEMS).headers[HEADER] == "hit"
    assert ApiToken.query.get(_id=record._id).last_used == later
    session.close()
    monkeypatch.setattr(time, "time", lambda: later + 30)
    assert mem.get(ITEMS).headers[HEADER] == "hit"
    assert ApiToken.query.get(_id=record._id).last_used == later      # not yet due
