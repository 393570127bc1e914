"""API tokens: created on the account page, shown once, sent as a Bearer token."""
import re

import pytest
import webtest

from forge.model import ApiToken, Project, session

TOKEN = re.compile(r'id="new-token-value">(pf_[^<]+)<')


@pytest.fixture
def ada_token(forge_browser, make_user, make_project):
    ada = make_user("ada")
    make_project("secret", ada, title="Secret Project", private=True)
    forge_browser.login("ada")
    page = forge_browser.post_form("/@@account", {"form": "token", "name": "release script"})
    token = TOKEN.search(page.text).group(1)
    return token


def bearer(token):
    return {"Authorization": "Bearer " + token}


def test_token_is_shown_once_and_stored_hashed(forge_browser, ada_token):
    [record] = ApiToken.query.find().all()
    assert record.token_hash != ada_token and ada_token not in record.token_hash
    page = forge_browser.get("/@@account")
    assert "release script" in page.text
    assert ada_token not in page.text           # only its first characters
    assert record.prefix in page.text


def test_token_reads_and_writes_without_cookie_or_csrf(forge_app, ada_token):
    client = webtest.TestApp(forge_app)         # no cookies at all
    page = client.get("/p/secret/", headers=bearer(ada_token))
    assert "Secret Project" in page.text
    assert "Set-Cookie" not in page.headers     # a script gets no session
    client.get("/p/secret/", status=404)        # the same request without the token
    response = client.post("/p/@@create", {"shortname": "scripted", "title": "Scripted"},
                           headers=bearer(ada_token), status=302)
    assert response.location.endswith("/p/scripted/")
    assert Project.query.get(shortname="scripted") is not None


def test_a_bad_token_is_401_with_a_message(forge_app):
    client = webtest.TestApp(forge_app)
    response = client.get("/", headers=bearer("pf_not-a-real-token"), status=401)
    assert "not valid" in response.text
    response = client.get("/", headers=dict(bearer("nonsense"), Accept="application/json"),
                          status=401)
    assert "not valid" in response.json["message"]


def test_revoked_token_stops_working(forge_browser, forge_app, ada_token):
    [record] = ApiToken.query.find().all()
    forge_browser.post_form("/@@account", {"form": "revoke-token", "token_id": record._id},
                            status=302)
    session.close()
    assert ApiToken.query.get(_id=record._id).revoked is not None   # kept, to say why
    response = webtest.TestApp(forge_app).get("/p/secret/", headers=bearer(ada_token),
                                              status=401)
    assert "was revoked on" in response.text
    assert forge_browser.get("/@@account").html.find(id="token-list") is None
    forge_browser.post_form("/@@account", {"form": "revoke-token", "token_id": record._id},
                            status=400)                  # once is enough


def test_cookie_requests_still_need_csrf_even_with_a_token(forge_browser, ada_token):
    # a browser carrying the session cookie gets no CSRF exemption from a header
    response = forge_browser.post("/p/@@create", {"shortname": "x1", "title": "X"},
                                  headers=bearer(ada_token), status=400)
    assert "security token" in response.text
    assert Project.query.get(shortname="x1") is None


def test_token_names_are_checked(forge_browser, make_user):
    make_user("bob")
    forge_browser.login("bob")
    page = forge_browser.post_form("/@@account", {"form": "token", "name": ""}, status=400)
    assert "Name the token" in page.text
    assert ApiToken.query.find().count() == 0


def test_a_disabled_users_token_is_401_with_a_message(forge_app, ada_token):
    from forge.model import User, session
    session.close()
    ada = User.query.get(username="ada")
    ada.disabled = True
    session.flush()
    client = webtest.TestApp(forge_app)
    response = client.get("/", headers=bearer(ada_token), status=401)
    assert "disabled" in response.text
    response = client.get("/", headers=dict(bearer(ada_token), Accept="application/json"),
                          status=401)
    assert "disabled" in response.json["message"]


@pytest.mark.parametrize("send", ["bearer", "basic"])
def test_a_disabled_users_token_stops_at_once_though_the_user_was_cached(forge_app, ada_token,
                                                                        send):
    """The token's user comes from the tree cache: disabling them writes a
    tree document, which moves the generation the next request reads."""
    import base64
    from forge.model import User
    credentials = "ada:" + ada_token
    headers = bearer(ada_token) if send == "bearer" else {
        "Authorization": "Basic " + base64.b64encode(credentials.encode()).decode()}
    client = webtest.TestApp(forge_app)
    for _ in range(2):      # the second is answered from the warm cache
        assert "Secret Project" in client.get("/p/secret/", headers=headers).text
    session.close()
    ada = User.query.get(username="ada")
    ada.disabled = True
    session.flush()
    response = client.get("/p/secret/", headers=headers, status=401)
    assert "disabled" in response.text
    session.close()
    ada = User.query.get(username="ada")
    ada.disabled = False
    session.flush()
    assert "Secret Project" in client.get("/p/secret/", headers=headers).text


@pytest.mark.parametrize("fields", [
    {"form": "token", "name": "minted by a token"},
    {"form": "revoke-token"},
    {"form": "password", "current_password": "x", "new_password": "new password!",
     "new_password_confirm": "new password!"},
    {"form": "profile", "display_name": "Mallory", "email": "mallory@evil.test"},
])
def test_a_token_cannot_change_the_accounts_credentials(forge_app, ada_token, fields):
    from forge.model import User, session
    [record] = ApiToken.query.find().all()
    if fields["form"] == "revoke-token":
        fields = dict(fields, token_id=record._id)
    client = webtest.TestApp(forge_app)
    response = client.post("/@@account", fields, headers=bearer(ada_token), status=403)
    assert "An API token cannot change the account" in response.text
    session.close()
    assert [t.name for t in ApiToken.query.find()] == ["release script"]
    assert User.query.get(username="ada").email == "ada@example.test"
    client.get("/@@account", headers=bearer(ada_token), status=200)   # reading is fine


def test_a_token_cannot_regenerate_the_feed_token(forge_app, ada_token):
    from forge.feeds.tokens import FeedKey
    from forge.model import session
    client = webtest.TestApp(forge_app)
    response = client.post("/@@feed-token", headers=bearer(ada_token), status=403)
    assert "An API token cannot change the account" in response.text
    session.close()
    assert FeedKey.query.find().count() == 0      # no key was made


# --- forge admin create-token ----------------------------------------------------

@pytest.fixture
def forge_cli(tmp_path, monkeypatch):
    """``forge admin ...`` in-process on the test database (as tests/test_cli_unit.py)."""
    import os
    from pathlib import Path

    from click.testing import CliRunner

    from forge.cli import main
    from forge.testing import forge_test_settings
    testing_ini = str(Path(__file__).resolve().parent.parent / "testing.ini")
    wire = os.environ.get("FORGE_TEST_MONGODB_URL")
    database = forge_test_settings()["ming.main.database"]     # an xdist worker's own
    for name in list(os.environ):
        if name.startswith(("FORGE_", "MING_")):
            monkeypatch.delenv(name)
    if wire:                # over the wire: the command must use the test's database
        monkeypatch.setenv("FORGE_MONGODB_URL", wire)
        monkeypatch.setenv("MING_MAIN_DATABASE", database)

    def invoke(*args):
        return CliRunner().invoke(main, ["admin", *args, "--config", testing_ini,
                                         "--data-dir", str(tmp_path)])
    return invoke


def basic(user, secret):
    import base64
    raw = ("%s:%s" % (user, secret)).encode("utf-8")
    return {"Authorization": "Basic " + base64.b64encode(raw).decode("ascii")}


def test_create_token_prints_a_token_git_can_use(forge_app, forge_cli, make_user,
                                                 make_project):
    ada = make_user("ada")
    make_project("secret", ada, title="Secret Project", private=True)
    make_project("other", ada, title="Other Project", private=True)
    session.close()
    result = forge_cli("create-token", "ada", "--scope", "read", "--project", "secret",
                       "--expires", "7", "--name", "ci")
    assert result.exit_code == 0, (result.output, result.exception)
    token = result.stdout.strip()
    assert token.startswith("pf_") and "\n" not in token        # stdout: the token alone
    assert "scope read" in result.stderr and "project secret" in result.stderr
    session.close()
    [record] = ApiToken.query.find().all()
    assert (record.name, record.scope, record.expires is not None) == ("ci", "read", True)
    client = webtest.TestApp(forge_app)
    # what git sends: the user name with the token as the password
    assert "Secret Project" in client.get("/p/secret/", headers=basic("ada", token)).text
    client.get("/p/other/", headers=basic("ada", token), status=404)       # not its project
    client.get("/p/secret/@@tools", headers=basic("ada", token), status=403)  # read only


@pytest.mark.parametrize("args,message,code", [
    (("nobody",), "There is no user 'nobody'", 1),
    (("ada", "--project", "nowhere"), "There is no project 'nowhere'", 1),
    (("ada", "--expires", "0"), "1 to 3650 days", 1),
    (("ada", "--scope", "root"), "Invalid value for '--scope'", 2),
])
def test_create_token_refusals(forge_app, forge_cli, make_user, args, message, code):
    make_user("ada")
    session.close()
    result = forge_cli("create-token", *args)
    assert result.exit_code == code, result.output
    assert message in result.stderr
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit)
    assert ApiToken.query.find().count() == 0
