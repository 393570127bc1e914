"""Token scopes, project limits, expiry and last use (issue 14 item 5)."""
import time
import types

import pytest
import webtest

from forge.actions import ActionError
from forge.actions.tokens import create_token, revoke_token, user_id_for, TokenRefused
from forge.model import ApiToken, ChangeLogEntry, Project, session
from forge.security import scope_allows, token_markers

CREATE = {"shortname": "scripted", "title": "Scripted"}


def bearer(token):
    return {"Authorization": "Bearer " + token}


@pytest.fixture
def world(make_user, make_project):
    ada = make_user("ada")
    make_user("root", site_admin=True)
    secret = make_project("secret", ada, title="Secret Project", private=True)
    make_project("docs", ada, parent=secret, title="Secret Docs")
    make_project("other", ada, title="Other Project")
    return ada


@pytest.fixture
def client(forge_app):
    return webtest.TestApp(forge_app)         # no cookies: a script


def token(username, scope, project=None, days=None):
    from forge.model import User
    project_doc = Project.query.get(shortname=project) if project else None
    return create_token(User.by_username(username), "t-%s" % scope, scope=scope,
                        project=project_doc, expires_days=days)[1]


# --- the matrix: scope x what the request wants --------------------------------

@pytest.mark.parametrize("scope,read,write,admin", [
    ("read", 200, 403, 403),
    ("write", 200, 302, 403),
    ("admin", 200, 302, 200),
])
def test_scope_matrix(world, client, scope, read, write, admin):
    secret = token("ada", scope)
    client.get("/p/secret/", headers=bearer(secret), status=read)
    client.post("/p/@@create", CREATE, headers=bearer(secret), status=write)
    client.get("/p/secret/@@tools", headers=bearer(secret), status=admin)
    session.close()
    assert (Project.query.get(shortname="scripted") is not None) == (write == 302)


def test_a_site_admins_token_is_limited_too(world, client):
    secret = token("root", "read")
    client.get("/p/secret/", headers=bearer(secret), status=200)
    client.get("/p/secret/@@tools", headers=bearer(secret), status=403)
    client.post("/p/@@create", CREATE, headers=bearer(secret), status=403)


def test_a_project_token_reaches_nothing_outside_the_project(world, client):
    secret = token("ada", "admin", project="secret")
    assert "Secret Project" in client.get("/p/secret/", headers=bearer(secret)).text
    assert "Secret Docs" in client.get("/p/secret/docs/", headers=bearer(secret)).text
    client.get("/p/secret/@@tools", headers=bearer(secret), status=200)
    # outside: answered like a node the reader may not read
    client.get("/p/other/", headers=bearer(secret), status=404)
    client.get("/", headers=bearer(secret), status=404)
    client.post("/p/@@create", CREATE, headers=bearer(secret), status=404)
    # the same user's unlimited token reaches all of it
    anywhere = token("ada", "admin")
    client.get("/p/other/", headers=bearer(anywhere), status=200)


def test_a_subproject_token_does_not_reach_its_parent(world, client):
    secret = token("ada", "read", project="secret/docs")
    client.get("/p/secret/docs/", headers=bearer(secret), status=200)
    client.get("/p/secret/", headers=bearer(secret), status=404)


def test_scope_allows_reads_the_markers_only():
    project = types.SimpleNamespace(kind="project", doc=types.SimpleNamespace(_id="P"),
                                    __parent__=None)
    tool = types.SimpleNamespace(kind="tool", doc=None, __parent__=project)
    plain = ["system.Everyone", "user:1"]
    assert scope_allows(tool, plain, "admin")                 # a session: no limits
    reader = types.SimpleNamespace(scope="read", project_id=None)
    assert token_markers(reader) == ["token-scope:read"]
    assert scope_allows(tool, plain + token_markers(reader), "read")
    assert not scope_allows(tool, plain + token_markers(reader), "update")
    limited = types.SimpleNamespace(scope="write", project_id="Q")
    assert not scope_allows(tool, plain + token_markers(limited), "read")
    limited.project_id = "P"
    assert scope_allows(tool, plain + token_markers(limited), "push")
    assert not scope_allows(tool, plain + token_markers(limited), "configure")
    assert not scope_allows(tool, plain + ["token-scope:bogus"], "read")


# --- expiry, revocation, last use, the audit log ----------------------------------

def test_an_expired_token_is_401_saying_so(world, client):
    secret = token("ada", "read", days=1)
    client.get("/p/secret/", headers=bearer(secret), status=200)
    with pytest.raises(TokenRefused, match="expired on"):
        user_id_for(secret, now=time.time() + 2 * 86400)
    record = ApiToken.query.get(name="t-read")
    session.close()
    from forge.model.session import collection
    collection(ApiToken, bump=False).update_one({"_id": record._id},
                                                {"$set": {"expires": time.time() - 1}})
    response = client.get("/p/secret/", headers=bearer(secret), status=401)
    assert "expired on" in response.text
    response = client.get("/", headers=dict(bearer(secret), Accept="application/json"),
                          status=401)
    assert "expired on" in response.json["message"]


def test_last_use_is_recorded_about_once_a_minute(world, client):
    secret = token("ada", "read")
    assert ApiToken.query.get(name="t-read").last_used is None
    start = time.time()
    client.get("/p/secret/", headers=bearer(secret))
    session.close()
    first = ApiToken.query.get(name="t-read").last_used
    assert first is not None and first >= start - 1
    user_id_for(secret, now=first + 10)                 # within the minute: not written
    session.close()
    assert ApiToken.query.get(name="t-read").last_used == first
    user_id_for(secret, now=first + 61)
    session.close()
    assert ApiToken.query.get(name="t-read").last_used == pytest.approx(first + 61)


def test_creation_and_revocation_are_in_the_audit_log(world):
    record, _ = create_token(world, "deploy", scope="read",
                             project=Project.query.get(shortname="secret"), expires_days=30)
    revoke_token(world, record._id)
    session.close()
    entries = ChangeLogEntry.query.find({"node_id": world._id}).sort("timestamp", 1).all()
    actions = [(e.action, e.summary) for e in entries if e.action.startswith("user.token")]
    assert actions[0][0] == "user.token.create"
    assert "deploy" in actions[0][1] and "scope read" in actions[0][1]
    assert "project secret" in actions[0][1] and "expires" in actions[0][1]
    assert actions[1] == ("user.token.revoke", "revoked the API token deploy")


@pytest.mark.parametrize("kw,message", [
    ({"scope": "root"}, "scope must be one of"),
    ({"expires_days": "soon"}, "whole number"),
    ({"expires_days": 0}, "1 to 3650 days"),
    ({"expires_days": 99999}, "1 to 3650 days"),
])
def test_bad_limits_are_refused(world, kw, message):
    with pytest.raises(ActionError, match=message):
        create_token(world, "x", **kw)
    assert ApiToken.query.find().count() == 0


# --- the account page -----------------------------------------------------------

def test_the_account_page_makes_and_lists_limited_tokens(world, forge_browser, client):
    forge_browser.login("ada")
    page = forge_browser.post_form("/@@account", {
        "form": "token", "name": "ci", "scope": "read", "project": "secret",
        "expires_days": "30"})
    secret = page.html.find(id="new-token-value").text
    client.get("/p/secret/", headers=bearer(secret), status=200)
    page = forge_browser.get("/@@account")
    [row] = page.html.select("#token-list .token-row")
    assert row.select_one(".token-scope").text == "read"
    assert row.select_one(".token-project").text.strip() == "/p/secret/"
    assert "UTC" in row.select_one(".token-expires").text
    assert "UTC" in row.select_one(".token-last-used").text       # used just now


@pytest.mark.parametrize("fields,message", [
    ({"scope": "sudo"}, "scope must be one of"),
    ({"project": "nowhere"}, "no project"),
    ({"project": "/p/../@@evil"}, "no project"),
    ({"expires_days": "-3"}, "1 to 3650 days"),
])
def test_the_account_page_refuses_bad_limits(world, forge_browser, fields, message):
    forge_browser.login("ada")
    page = forge_browser.post_form("/@@account", dict({"form": "token", "name": "x"}, **fields),
                                   status=400)
    assert message in page.html.find(id="token-error").text
    assert ApiToken.query.find().count() == 0


def test_a_project_the_user_cannot_read_is_answered_like_a_missing_one(
        world, make_user, forge_browser):
    make_user("bob")
    forge_browser.login("bob")
    hidden = forge_browser.post_form("/@@account", {"form": "token", "name": "x",
                                                    "project": "secret"}, status=400)
    missing = forge_browser.post_form("/@@account", {"form": "token", "name": "x",
                                                     "project": "nosuch"}, status=400)
    assert hidden.html.find(id="token-error").text.replace("secret", "?") == \
        missing.html.find(id="token-error").text.replace("nosuch", "?")


# --- git (the code tool's smart HTTP, HTTP Basic with the token as password) -------

def basic(user, secret):
    import base64
    raw = ("%s:%s" % (user, secret)).encode("utf-8")
    return {"Authorization": "Basic " + base64.b64encode(raw).decode("ascii")}


@pytest.mark.parametrize("scope,fetch,push", [
    ("read", 200, 403), ("write", 200, 200), ("admin", 200, 200)])
def test_git_over_basic_auth_within_the_tokens_scope(world, client, install_tool, scope,
                                                     fetch, push):
    install_tool(Project.query.get(shortname="secret"), "code", mount="code")
    session.close()
    secret = token("ada", scope)
    refs = "/p/secret/code/info/refs"
    client.get(refs, {"service": "git-upload-pack"}, headers=basic("ada", secret),
               status=fetch)
    client.get(refs, {"service": "git-receive-pack"}, headers=basic("ada", secret),
               status=push)
    other = token("ada", "write", project="other")          # another project's token
    client.get(refs, {"service": "git-upload-pack"}, headers=basic("ada", other), status=404)
