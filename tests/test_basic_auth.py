"""HTTP Basic credentials (what git sends): the user name with an API token or
the password, checked by the forge tween like a Bearer token."""
import base64

import pytest
import webtest

from forge.actions.tokens import create_token
from forge.testing import PASSWORD


def basic(user, secret):
    raw = ("%s:%s" % (user, secret)).encode("utf-8")
    return {"Authorization": "Basic " + base64.b64encode(raw).decode("ascii")}


@pytest.fixture
def ada(make_user, make_project):
    ada = make_user("ada")
    make_user("bob")
    make_project("secret", ada, title="Secret Project", private=True)
    return ada


def test_a_token_or_the_password_identify_the_user(forge_app, ada):
    client = webtest.TestApp(forge_app)
    token = create_token(ada, "git")[1]
    for secret in (token, PASSWORD):
        page = client.get("/p/secret/", headers=basic("ada", secret))
        assert "Secret Project" in page.text
        assert "Set-Cookie" not in page.headers       # no session for a script
    client.get("/p/secret/", status=404)


@pytest.mark.parametrize("user,secret,message", [
    ("ada", "wrong password", "Wrong user name or password"),
    ("nobody", PASSWORD, "Wrong user name or password"),
    ("bob", "TOKEN", "does not belong to the user"),          # ada's token, bob's name
    ("ada", "pf_revoked-or-mistyped", "not valid"),
])
def test_bad_credentials_are_401_with_a_message(forge_app, ada, user, secret, message):
    secret = create_token(ada, "git")[1] if secret == "TOKEN" else secret
    response = webtest.TestApp(forge_app).get("/", headers=basic(user, secret), status=401)
    assert message in response.text


def test_a_malformed_header_is_401(forge_app, ada):
    client = webtest.TestApp(forge_app)
    client.get("/", headers={"Authorization": "Basic !!!"}, status=401)
    client.get("/", headers={"Authorization": "Basic " + base64.b64encode(
        b"\xff\xfe:x").decode()}, status=401)


def test_wrong_passwords_are_throttled_like_the_sign_in_form(forge_app, ada, registry):
    client = webtest.TestApp(forge_app)
    tries = registry.settings["forge.login.max_failures"]
    for _ in range(tries):
        client.get("/", headers=basic("ada", "wrong"), status=401)
    response = client.get("/", headers=basic("ada", PASSWORD), status=429)
    assert "Too many failed sign-in attempts" in response.text


def test_basic_credentials_may_not_change_the_account(forge_app, ada):
    # refused by the CSRF check first (Basic is ambient), and by the account page's rule
    webtest.TestApp(forge_app).post(
        "/@@account", {"form": "token", "name": "more"}, headers=basic("ada", PASSWORD),
        status=400)


def test_basic_credentials_are_ambient_so_forms_still_need_the_csrf_token(forge_app, ada):
    # a browser asked once for Basic credentials sends them with any cross-site form
    client = webtest.TestApp(forge_app)
    response = client.post("/p/@@create", {"shortname": "forged", "title": "Forged"},
                           headers=basic("ada", PASSWORD), status=400)
    assert "security token" in response.text
    token = create_token(ada, "script")[1]
    webtest.TestApp(forge_app).post("/p/@@create", {"shortname": "scripted", "title": "Scripted"},
                headers={"Authorization": "Bearer " + token}, status=302)
