"""The leak suite over REST: the world of ``tests/test_leaks.py`` crawled through
``/rest`` by every viewer with an API token.

Every node, every collection page (walked one item at a time, so every cursor
is used) and every cursor itself is checked: a marker of a secret node appears
nowhere a viewer may not read it, and a private node answers 404 to them
exactly like a missing one.  The nodes the API shows (pages, forums, threads'
subjects) reach those who may read them.
"""
import base64
import json

import pytest
import webtest

from forge.actions.tokens import create_token
from forge.model import User, session

from ..test_leaks import SECRETS, VIEWERS, check
from ..test_leaks import world  # noqa: F401  (the fixture: this module builds its own)

# what /rest shows of the secrets (comments and a thread's posts are its
# @@comments, files its @@attachments)
SHOWN = {"Attachsecret", "Sealedpage", "Sealedtext", "Vaultpage", "Vaulttext", "Privpage", "Privtext",
         "Movedtitle", "Movedtwo", "Heldsubject", "Privthread", "Ticketsecret", "Ticketbody",
         "Commentsecret", "Movedcomment", "Heldtext", "Privthreadtext"}
# a forum thread's posts are its @@comments: (text, who must see it there); a
# held post is shown to its author, and to moderators whose token may moderate
# (these are "read" tokens: the scope withholds "moderate", so not to them)
THREAD_TEXT = {"Heldsubject": ("Heldtext", {"lurker"}),
               "Privthread": ("Privthreadtext", SECRETS["Privthread"])}
MISSING = {"detail": "There is nothing here, or you may not see it.", "status": 404,
           "title": "Not found", "type": "/rest/@@docs#problem-404"}


@pytest.fixture(scope="module")
def tokens(world):  # noqa: F811
    tokens = {}
    for name in VIEWERS:
        if name:
            tokens[name] = create_token(User.by_username(name), "leaks", scope="read")[1]
    session.close()
    return tokens


def client(world, tokens, who):  # noqa: F811
    app = webtest.TestApp(world.app)
    if who:
        app.authorization = ("Bearer", tokens[who])
    return app


def crawl(app):
    """Every JSON document and cursor reachable from /rest/ (collections one
    item per page)."""
    seen, texts, todo = set(), [], ["http://localhost/rest/"]
    while todo:
        url = todo.pop()
        if url in seen:
            continue
        seen.add(url)
        response = app.get(url, status="*")
        assert response.status_int in (200, 404), (url, response.status)
        if response.status_int == 404:
            assert response.json == MISSING
            continue
        texts.append(response.text)
        body = response.json
        if "items" in body and "next" in body:
            assert len(body["items"]) <= 1
            if body["next"]:
                cursor = body["next"].split("cursor=")[1]
                texts.append(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
                             .decode())
                todo.append(body["next"])
            todo.extend(item["url"] for item in body["items"] if "url" in item)
            continue
        for key in ("projects_url", "tools_url", "subprojects_url", "items_url",
                    "comments_url", "history_url", "attachments_url"):
            if key in body:
                todo.append(body[key] + "?limit=1")
        todo.extend(nb["url"] for nb in body.get("neighborhoods", ()))
    return "\n".join(texts)


@pytest.mark.parametrize("who", VIEWERS, ids=lambda w: w or "anonymous")
def test_crawl_shows_only_what_the_viewer_may_read(world, tokens, who):  # noqa: F811
    text = crawl(client(world, tokens, who))
    shown = check(text, who, "the REST crawl")
    expected = {word for word in SHOWN if who in SECRETS[word]
                and word not in ("Heldsubject", "Privthread", "Heldtext", "Privthreadtext")}
    # (forum threads are not in their forum's @@items: see below)
    assert expected <= shown, "REST hides %s from %s" % (sorted(expected - shown), who)


@pytest.mark.parametrize("who", VIEWERS, ids=lambda w: w or "anonymous")
def test_secret_nodes_are_404_exactly_like_missing_ones(world, tokens, who):  # noqa: F811
    app = client(world, tokens, who)
    nodes = {"Sealedpage": "/rest/p/pub/wiki/Sealedpage/",
             "Vaultpage": "/rest/p/pub/vault/Vaultpage/",
             "Privpage": "/rest/p/priv/wiki/Privpage/",
             "Movedtitle": "/rest/p/pub/wiki/Newname/",
             "Heldsubject": "/rest" + world.threads["Heldsubject"],
             "Privthread": "/rest" + world.threads["Privthread"]}
    for marker, url in nodes.items():
        for suffix in ("", "@@items", "@@items?limit=1", "@@comments", "@@comments?limit=1",
                       "@@history", "@@acl", "@@attachments"):
            response = app.get(url + suffix, status="*")
            if who in SECRETS[marker]:
                # @@items: types that nest; @@comments: tools with comments; @@acl: admins
                assert response.status_int in (200, 401, 403, 404)
                if suffix == "":
                    assert marker.lower() in response.text.lower()
                text, seen_by = THREAD_TEXT.get(marker, ("", ()))
                if suffix == "@@comments" and who in seen_by:
                    assert text in response.text
            else:
                assert response.status_int == 404 and response.json == MISSING, (url, who)
    for url in ("/rest/p/priv/", "/rest/p/priv/@@tools", "/rest/p/pub/vault/@@items",
                "/rest/p/pub/gone/", "/rest/p/pub/wiki/Doomed/"):
        response = app.get(url, status="*")
        readers = {"/rest/p/priv/": SECRETS["Privpage"],
                   "/rest/p/priv/@@tools": SECRETS["Privpage"],
                   "/rest/p/pub/vault/@@items": SECRETS["Vaultpage"]}.get(url, set())
        assert response.status_int == (200 if who in readers else 404), (url, who)


@pytest.mark.parametrize("who", VIEWERS, ids=lambda w: w or "anonymous")
def test_pages_walked_one_by_one_match_one_big_page(world, tokens, who):  # noqa: F811
    """A private item makes no empty page and no gap: the cursor walk and one
    page of 100 hold the same items."""
    app = client(world, tokens, who)
    for collection in ("/rest/p/@@projects", "/rest/p/pub/@@tools",
                       "/rest/p/pub/wiki/@@items"):
        whole = [i["url"] for i in app.get(collection + "?limit=100").json["items"]]
        walked, url = [], collection + "?limit=1"
        while url:
            body = app.get(url).json
            assert body["items"] or not walked
            walked.extend(i["url"] for i in body["items"])
            url = body["next"]
        assert walked == whole


def test_a_forged_cursor_reveals_nothing(world, tokens):  # noqa: F811
    """A cursor naming a private page's path starts after it: nothing of it shows."""
    app = client(world, tokens, "outsider")
    digest = json.loads(base64.urlsafe_b64decode(
        _cursor(app, "/rest/p/pub/wiki/@@items?limit=1") + "=="))["in"]
    forged = base64.urlsafe_b64encode(json.dumps(
        {"after": "Sealedpage", "in": digest}).encode()).decode().rstrip("=")
    text = app.get("/rest/p/pub/wiki/@@items?limit=1&cursor=" + forged, status="*").text
    check(text, "outsider", "a forged cursor")


def _cursor(app, url):
    return app.get(url).json["next"].split("cursor=")[1]
