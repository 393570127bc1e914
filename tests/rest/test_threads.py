"""An artifact's comments, versions and ACL over REST: the same actions and
rules as the web pages (moderation, held posts, permissions), 4xx problems
for bad input, and nothing private shown to those who may not see it."""
import pytest

from forge.discussion.model import Post
from forge.model import session

PAGE = "/rest/p/demo/wiki/Home/"


@pytest.fixture
def page(client):
    made = client("ada").send("POST", "/rest/p/demo/wiki/@@items",
                              {"name": "Home", "title": "Home", "text": "hello"}, status=201)
    assert made.headers["Location"] == "http://localhost" + PAGE
    return made.json


def test_post_and_list_comments_as_the_web_does(client, page):
    mem, out = client("mem"), client("out")
    first = mem.send("POST", PAGE + "@@comments", {"text": "First!"}, status=201)
    assert first.json["status"] == "ok" and first.json["author"] == "mem"
    assert first.headers["Location"] == "http://localhost" + PAGE + "@@comments"
    reply = out.send("POST", PAGE + "@@comments", {"text": "A reply",
                                                   "parent_id": first.json["id"]},
                     status=201)
    # an outsider may post but not skip moderation: held, as on the web
    assert reply.json["status"] == "pending"
    session.close()
    stored = Post.query.get(_id=reply.json["id"])
    assert stored.parent_id == first.json["id"] and stored.status == "pending"
    # the held reply is shown to its author and a moderator, not to others
    texts = lambda c: [i.get("text") for i in c.get(PAGE + "@@comments").json["items"]]
    assert texts(out) == ["First!", "A reply"]
    assert texts(client("dev")) == ["First!", "A reply"]
    assert texts(mem) == ["First!"]
    assert texts(client()) == ["First!"]


def test_comments_page_by_cursor(client, page):
    ada = client("ada")
    for n in range(5):
        ada.send("POST", PAGE + "@@comments", {"text": "comment %d" % n}, status=201)
    seen, url = [], PAGE + "@@comments?limit=2"
    while url:
        body = client().get(url).json
        seen += [i["text"] for i in body["items"]]
        url = body["next"]
    assert seen == ["comment %d" % n for n in range(5)]


def test_comment_refusals_are_problems(client, page):
    mem = client("mem")
    for body, status in (({"text": ""}, 400), ({}, 422), ({"text": 3}, 422),
                         ({"text": "x", "colour": "red"}, 422),
                         ({"text": "x", "parent_id": "nope"}, 400)):
        answer = mem.send("POST", PAGE + "@@comments", body)
        assert answer.status_int == status, (body, answer.text)
        assert answer.content_type == "application/problem+json"
    assert client().send("POST", PAGE + "@@comments", {"text": "hi"}).status_int == 401
    assert mem.send("PUT", PAGE + "@@comments", {"text": "hi"}).status_int == 405
    session.close()
    assert Post.query.find().count() == 0
    # notes have no comments
    client("ada").send("POST", "/rest/p/demo/notes/@@items", {"title": "N"}, status=201)
    assert client("ada").get("/rest/p/demo/notes/N/@@comments", status=404)


def test_history_lists_every_version(client, page):
    ada = client("ada")
    ada.send("PATCH", PAGE, {"text": "second"}, headers={"If-Match": '"1"'}, status=200)
    ada.send("PATCH", PAGE, {"title": "Home page", "comment": "renamed"},
             headers={"If-Match": '"2"'}, status=200)
    body = client().get(PAGE + "@@history").json
    assert [v["version"] for v in body["items"]] == [3, 2, 1]
    assert body["items"][0]["comment"] == "renamed"
    assert body["items"][0]["data"]["title"] == "Home page"
    assert body["items"][2]["author"] == "ada"
    first = client().get(PAGE + "@@history?limit=2").json
    rest = client().get(first["next"]).json
    assert [v["version"] for v in first["items"] + rest["items"]] == [3, 2, 1]
    assert ada.send("POST", PAGE + "@@history", {}).status_int == 405


def test_acl_is_read_by_admins_only(client, page):
    acl = client("ada").get(PAGE + "@@acl").json
    # the wiki tool's default entries, from the tool, as on the permissions page
    posting = [e for e in acl["entries"] if e["permission"] == "post"]
    assert "Signed-in users" in {e["label"] for e in posting}
    assert all(e["inherited_from"] == "http://localhost/rest/p/demo/wiki/" for e in posting)
    assert all(e["inherited_from"] for e in acl["entries"])   # a new page has none of its own
    assert client("dev").get(PAGE + "@@acl", status=403).json["status"] == 403
    assert client().get(PAGE + "@@acl", status=401).json["status"] == 401


def test_attachments_upload_list_and_download(client, page, forge_app):
    mem, dev = client("mem"), client("dev")
    url = PAGE + "@@attachments"
    assert client().get(url).json == {"items": [], "next": None}
    upload = [("attachment", "notes.txt", b"plain words"), ("attachment", "shot.png", b"<b>")]
    # a Member may comment but not change the page: as the web's "Attach" form
    assert mem.app.post(url, upload_files=upload, headers=mem.headers(),
                        status=403).json["status"] == 403
    made = dev.app.post(url, upload_files=upload, headers=dev.headers(), status=201)
    assert [a["filename"] for a in made.json["items"]] == ["notes.txt", "shot.png"]
    listed = client().get(url).json["items"]
    assert listed == made.json["items"]
    assert listed[0]["length"] == 11 and listed[0]["author"] == "dev"
    download = dev.get(listed[1]["download_url"])
    # the page's rules: a .png holding HTML is a download, never inline
    assert download.body == b"<b>" and download.content_type == "application/octet-stream"
    assert download.headers["X-Content-Type-Options"] == "nosniff"


def test_attachment_refusals_are_problems(client, page, forge_app):
    dev = client("dev")
    url = PAGE + "@@attachments"
    not_multipart = dev.send("POST", url, {"attachment": "x"})
    assert not_multipart.status_int == 415
    assert not_multipart.content_type == "application/problem+json"
    empty = dev.app.post(url, {"other": "x"}, headers=dev.headers(), status=400,
                         content_type="multipart/form-data")
    assert empty.json["detail"] == "Choose a file to attach."
    limit = forge_app.registry.settings["forge.attachments.max_bytes"]
    big = dev.app.post(url, upload_files=[("attachment", "big.bin", b"x" * (limit + 1))],
                       headers=dev.headers(), status=413)
    assert big.content_type == "application/problem+json"
    assert client().get(url).json["items"] == []


def test_acl_changes_through_the_permissions_page_with_if_match(client, page):
    ada = client("ada")
    url = PAGE + "@@acl"
    got = ada.get(url)
    deny = {"op": "add", "access": "deny", "username": "out", "permission": "post"}
    assert ada.send("POST", url, deny).status_int == 428
    stale = ada.send("POST", url, deny, headers={"If-Match": '"0"'})
    assert stale.status_int == 412 and stale.headers["ETag"] == got.headers["ETag"]
    changed = ada.send("POST", url, deny, headers={"If-Match": got.headers["ETag"]},
                       status=200)
    own = [e for e in changed.json["entries"] if e["inherited_from"] is None]
    assert [(e["access"], e["permission"], e["index"]) for e in own] == [("deny", "post", 0)]
    assert changed.headers["ETag"] != got.headers["ETag"]
    # the change is the page's: out may no longer comment here
    assert client("out").send("POST", PAGE + "@@comments", {"text": "hi"}).status_int == 403
    # the old ETag is stale now: a second client's change is refused, not merged
    assert ada.send("POST", url, deny, headers={"If-Match": got.headers["ETag"]}).status_int \
        == 412
    removed = ada.send("POST", url, {"op": "remove", "index": 0, "access": "deny",
                                     "principal": own[0]["principal"], "permission": "post"},
                       headers={"If-Match": changed.headers["ETag"]}, status=200)
    assert all(e["inherited_from"] for e in removed.json["entries"])
    private = ada.send("POST", url, {"op": "privacy", "private": True,
                                          "readers": ["dev", "ada"]},
                       headers={"If-Match": removed.headers["ETag"]}, status=200)
    assert private.json["private"] is True
    assert client("mem").get(PAGE, status=404).json["status"] == 404
    assert client("dev").get(PAGE).json["private"] is True


def test_acl_refusals(client, page):
    ada, dev = client("ada"), client("dev")
    url = PAGE + "@@acl"
    tag = {"If-Match": ada.get(url).headers["ETag"]}
    for body in ({"op": "grant"}, {"op": "add", "access": "allow"},
                 {"op": "add", "access": "allow", "permission": "read", "colour": 1},
                 {"op": "remove", "index": True}, {"op": "privacy", "private": "yes"},
                 {"op": "privacy", "private": True, "readers": [3]}):
        answer = ada.send("POST", url, body, headers=tag)
        assert answer.status_int == 422, (body, answer.text)
    # the page's own checks: an unknown user, an entry that is not there
    assert ada.send("POST", url, {"op": "add", "access": "allow", "username": "nobody",
                                  "permission": "read"}, headers=tag).status_int == 400
    assert ada.send("POST", url, {"op": "remove", "index": 5}, headers=tag).status_int == 400
    assert dev.send("POST", url, {"op": "privacy", "private": True}, headers=tag) \
        .status_int == 403
    assert ada.get(url).headers["ETag"] == tag["If-Match"]      # nothing changed


@pytest.mark.parametrize("collection", ["@@comments", "@@history"])
def test_bad_cursors_and_limits_are_400(client, page, collection):
    for query in ("?cursor=not-a-cursor", "?limit=0", "?limit=101", "?limit=x",
                  "?cursor=" + "A" * 3000):
        answer = client().get(PAGE + collection + query, status=400)
        assert answer.content_type == "application/problem+json"
    # a cursor of another collection
    client("ada").send("PATCH", PAGE, {"text": "v2"}, headers={"If-Match": '"1"'}, status=200)
    other = client().get(PAGE + "@@history?limit=1").json["next"].split("cursor=")[1]
    assert client().get("/rest/p/demo/wiki/@@items?cursor=" + other, status=400)


def test_acl_of_projects_and_tools(client):
    ada = client("ada")
    project = ada.get("/rest/p/demo/@@acl").json
    assert any(e["index"] is not None for e in project["entries"])   # the project's own
    tool = ada.get("/rest/p/demo/wiki/@@acl").json
    assert {e["inherited_from"] for e in tool["entries"]} >= {None,
                                                               "http://localhost/rest/p/demo/"}
    assert client("dev").get("/rest/p/demo/@@acl", status=403)
    assert client("dev").send("PUT", "/rest/p/demo/@@acl", {}).status_int == 404
    assert ada.send("PUT", "/rest/p/demo/@@acl", {}).status_int == 405
