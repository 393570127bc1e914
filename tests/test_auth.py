"""Sign-up, sign-in and -out, the account page, session cookies and throttling."""
import re

import pytest

from forge.model import ChangeLogEntry, Project, User, session
from forge.testing import CSRF, PASSWORD, forge_test_settings

CSRF_MESSAGE = "The form was missing its security token"


def token(browser, url):
    return CSRF.search(browser.get(url).text).group(1)


def signup(browser, status=302, extra_environ=None, **overrides):
    fields = {"username": "newbie", "email": "newbie@example.test",
              "display_name": "New Bie", "password": PASSWORD, "password_confirm": PASSWORD,
              "csrf_token": token(browser, "/@@signup")}
    fields.update(overrides)
    fields = {k: v for k, v in fields.items() if v is not None}
    return browser.post("/@@signup", fields, status=status, extra_environ=extra_environ or {})


def login(browser, username, password=PASSWORD, status=302, next=None, environ=None):
    fields = {"username": username, "password": password,
              "csrf_token": token(browser, "/@@login")}
    if next is not None:
        fields["next"] = next
    return browser.post("/@@login", fields, status=status, extra_environ=environ or {})


def signed_in_as(browser):
    """The username in the page header, or None."""
    match = re.search(r'href="http://localhost/u/([^/]+)"', browser.get("/").text)
    return match.group(1) if match else None


def fresh(cls, **query):
    session.close()
    return cls.query.get(**query)


# --- sign-up ---------------------------------------------------------------

def test_signup_creates_user_and_personal_project_and_signs_in(forge_browser):
    page = forge_browser.get("/@@signup")
    assert 'name="password_confirm"' in page.text
    response = signup(forge_browser)
    assert response.location == "http://localhost/u/newbie/"
    user = fresh(User, username="newbie")
    # the address waits for verification (tests/test_signup_verification.py)
    assert (user.email, user.pending_email) == (None, "newbie@example.test")
    assert user.display_name == "New Bie"
    assert user.password_hash != PASSWORD
    assert Project.query.get(user_id=user._id).shortname == "newbie"
    assert signed_in_as(forge_browser) == "newbie"


@pytest.mark.parametrize("overrides, message", [
    ({"username": "Bad Name!"}, "A username may contain only lowercase letters"),
    ({"username": ""}, "A username is required."),
    ({"password": "short", "password_confirm": "short"}, "at least 8 characters"),
    ({"password_confirm": PASSWORD + "x"}, "The password and its confirmation differ."),
    ({"email": "not-an-address"}, "Please give a valid e-mail address."),
    ({"email": "a b@example.test"}, "Please give a valid e-mail address."),
])
def test_signup_refusals_keep_input_but_not_password(forge_browser, overrides, message):
    fields = {"display_name": "Display <Me>"}
    fields.update(overrides)
    page = signup(forge_browser, status=400, **fields)
    assert message in page.text
    assert "Display &lt;Me&gt;" in page.text
    assert PASSWORD not in page.text
    assert User.query.find().count() == 0
    assert Project.query.find({"user_id": {"$ne": None}}).count() == 0
    assert signed_in_as(forge_browser) is None


def test_signup_duplicate_username(forge_browser, make_user):
    """User names are public: a taken one is refused (a taken e-mail address
    is not: tests/test_signup_verification.py)."""
    make_user("ada")
    page = signup(forge_browser, status=400, username="ada")
    assert "The username &#39;ada&#39; is taken." in page.text
    session.close()
    assert User.query.find().count() == 1


def test_signup_without_csrf_token_saves_nothing(forge_browser):
    forge_browser.get("/@@signup")
    page = signup(forge_browser, status=400, csrf_token=None)
    assert CSRF_MESSAGE in page.text
    page = signup(forge_browser, status=400, csrf_token="forged")
    assert CSRF_MESSAGE in page.text
    assert User.query.find().count() == 0


# --- sign-in and -out ------------------------------------------------------

def test_login_success_goes_to_front_page(forge_browser, make_user):
    make_user("ada")
    response = login(forge_browser, "ada")
    assert response.location == "http://localhost/"
    assert signed_in_as(forge_browser) == "ada"


def test_login_is_case_insensitive_on_username(forge_browser, make_user):
    make_user("ada")
    login(forge_browser, " ADA ")
    assert signed_in_as(forge_browser) == "ada"


def test_wrong_password_and_unknown_user_get_the_same_answer(forge_browser, make_user):
    make_user("ada")
    wrong = login(forge_browser, "ada", "wrong password", status=400)
    unknown = login(forge_browser, "nobody", PASSWORD, status=400)
    for page in (wrong, unknown):
        assert "Wrong username or password." in page.text
        assert "wrong password" not in page.text and PASSWORD not in page.text
    assert 'value="ada"' in wrong.text
    assert signed_in_as(forge_browser) is None


def test_disabled_user_cannot_sign_in(forge_browser, make_user):
    user = make_user("ada")
    user.disabled = True
    session.flush()
    login(forge_browser, "ada", status=400)


@pytest.mark.parametrize("next_value, location", [
    ("/p/demo/?x=1", "http://localhost/p/demo/?x=1"),
    ("http://localhost/p/demo/", "http://localhost/p/demo/"),   # from the forbidden view
    ("//evil.example/", "http://localhost/"),
    ("/\\evil.example/", "http://localhost/"),
    ("/\t/evil.example/", "http://localhost/"),
    ("https://evil.example/", "http://localhost/"),
    ("http://localhost.evil.example/", "http://localhost/"),
    ("javascript:alert(1)", "http://localhost/"),
    ("p/demo/", "http://localhost/"),
    ("", "http://localhost/"),
])
def test_login_next_only_same_site_paths(forge_browser, make_user, next_value, location):
    make_user("ada")
    assert login(forge_browser, "ada", next=next_value).location == location


def test_login_form_carries_safe_next_only(forge_browser):
    page = forge_browser.get("/@@login", {"next": "/p/demo/"})
    assert 'name="next" value="/p/demo/"' in page.text
    page = forge_browser.get("/@@login", {"next": "//evil.example/"})
    assert 'name="next" value=""' in page.text


def test_failed_login_keeps_next(forge_browser, make_user):
    make_user("ada")
    page = login(forge_browser, "ada", "nope", status=400, next="/p/demo/")
    assert 'name="next" value="/p/demo/"' in page.text


def test_anonymous_is_sent_to_login_and_back(forge_browser, make_user):
    make_user("ada")
    response = forge_browser.get("/@@account", status=302)
    assert response.location.startswith("http://localhost/@@login?next=")
    form_page = forge_browser.get(response.location)
    next_value = re.search(r'name="next" value="([^"]*)"', form_page.text).group(1)
    assert next_value == "/@@account"
    assert login(forge_browser, "ada", next=next_value).location == "http://localhost/@@account"


def test_login_csrf_missing_or_wrong(forge_browser, make_user):
    make_user("ada")
    forge_browser.get("/@@login")
    for fields in ({}, {"csrf_token": "forged"}):
        page = forge_browser.post("/@@login", dict(fields, username="ada", password=PASSWORD),
                                  status=400)
        assert CSRF_MESSAGE in page.text
    assert signed_in_as(forge_browser) is None


def test_login_renews_session_and_csrf_token(forge_browser, make_user):
    make_user("ada")
    before = token(forge_browser, "/@@login")
    login(forge_browser, "ada")
    assert forge_browser.csrf() != before


def test_logout(forge_browser, make_user):
    make_user("ada")
    forge_browser.login("ada")
    response = forge_browser.post_form("/@@logout", status=302)
    assert response.location == "http://localhost/"
    assert signed_in_as(forge_browser) is None
    forge_browser.get("/@@account", status=302)


def test_logout_needs_csrf_token(forge_browser, make_user):
    make_user("ada")
    forge_browser.login("ada")
    page = forge_browser.post("/@@logout", {"csrf_token": "forged"}, status=400)
    assert CSRF_MESSAGE in page.text
    forge_browser.post("/@@logout", {}, status=400)
    assert signed_in_as(forge_browser) == "ada"


def test_logout_is_post_only(forge_browser, make_user):
    make_user("ada")
    forge_browser.login("ada")
    forge_browser.get("/@@logout", status=404)
    assert signed_in_as(forge_browser) == "ada"


# --- session cookie --------------------------------------------------------

def session_cookie(response):
    cookies = [v for k, v in response.headerlist
               if k == "Set-Cookie" and v.startswith("forge_session=")]
    assert cookies, response.headerlist
    return cookies[-1]


def test_session_cookie_flags(forge_browser, make_user):
    make_user("ada")
    cookie = session_cookie(login(forge_browser, "ada")).lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert "secure" not in cookie.replace("samesite", "")


class TestSecureCookie:
    @pytest.fixture
    def forge_settings(self):
        return forge_test_settings(**{"forge.session.secure": "true"})

    def test_secure_flag_when_configured(self, forge_browser, make_user):
        make_user("ada")
        # a Secure cookie only comes back over https
        https = {"wsgi.url_scheme": "https", "HTTP_HOST": "localhost",
                 "HTTP_ORIGIN": "https://localhost"}
        page = forge_browser.get("/@@login", extra_environ=https)
        assert "; secure" in session_cookie(page).lower()
        response = forge_browser.post("/@@login", {
            "username": "ada", "password": PASSWORD,
            "csrf_token": CSRF.search(page.text).group(1)}, extra_environ=https, status=302)
        cookie = session_cookie(response).lower()
        assert "; secure" in cookie and "httponly" in cookie and "samesite=lax" in cookie


# --- account page ----------------------------------------------------------

def test_account_page_has_both_forms_and_csrf(forge_browser, make_user):
    make_user("ada")
    forge_browser.login("ada")
    page = forge_browser.get("/@@account")
    assert 'id="profile-form"' in page.text and 'id="password-form"' in page.text
    assert CSRF.search(page.text)
    assert "ada@example.test" in page.text


def test_update_profile(forge_browser, make_user):
    make_user("ada")
    forge_browser.login("ada")
    response = forge_browser.post_form("/@@account", {
        "form": "profile", "display_name": "Ada Lovelace", "email": "Ada@Elsewhere.test"},
        status=302)
    assert response.location == "http://localhost/@@account"
    page = response.follow()
    assert "Your profile is saved." in page.text
    user = fresh(User, username="ada")
    # the new address waits for verification; mail goes on to the verified one
    assert (user.display_name, user.email, user.pending_email) == (
        "Ada Lovelace", "ada@example.test", "ada@elsewhere.test")
    assert ChangeLogEntry.query.get(node_id=user._id, action="user.update") is not None


def test_update_profile_refusals(forge_browser, make_user):
    make_user("ada")
    make_user("bob")
    forge_browser.login("ada")
    page = forge_browser.post_form("/@@account", {
        "form": "profile", "display_name": "x" * 101, "email": "ada@example.test"}, status=400)
    assert "at most 100 characters" in page.text
    page = forge_browser.post_form("/@@account", {
        "form": "profile", "display_name": "Ada", "email": "nope"}, status=400)
    assert "Please give a valid e-mail address." in page.text
    user = fresh(User, username="ada")
    assert (user.display_name, user.email) == ("", "ada@example.test")


def test_account_csrf_missing_or_wrong(forge_browser, make_user):
    make_user("ada")
    forge_browser.login("ada")
    for fields in ({}, {"csrf_token": "forged"}):
        page = forge_browser.post("/@@account", dict(
            fields, form="profile", display_name="Mallory", email="m@evil.test"), status=400)
        assert CSRF_MESSAGE in page.text
        forge_browser.post("/@@account", dict(
            fields, form="password", current_password=PASSWORD, new_password="hijacked pw",
            new_password_confirm="hijacked pw"), status=400)
    user = fresh(User, username="ada")
    assert (user.display_name, user.email) == ("", "ada@example.test")
    forge_browser.logout()
    forge_browser.login("ada")


def test_change_password(forge_browser, make_user):
    make_user("ada")
    forge_browser.login("ada")
    response = forge_browser.post_form("/@@account", {
        "form": "password", "current_password": PASSWORD,
        "new_password": "a brand new secret", "new_password_confirm": "a brand new secret"},
        status=302)
    assert "Your password is changed." in response.follow().text
    assert signed_in_as(forge_browser) == "ada"     # this session stays signed in
    forge_browser.logout()
    login(forge_browser, "ada", PASSWORD, status=400)
    login(forge_browser, "ada", "a brand new secret")
    assert signed_in_as(forge_browser) == "ada"


@pytest.mark.parametrize("fields, message", [
    ({"current_password": "not my password"}, "The current password is not correct."),
    ({"new_password_confirm": "something else"}, "The new password and its confirmation differ."),
    ({"new_password": "short", "new_password_confirm": "short"}, "at least 8 characters"),
])
def test_change_password_refusals(forge_browser, make_user, fields, message):
    make_user("ada")
    forge_browser.login("ada")
    data = {"form": "password", "current_password": PASSWORD,
            "new_password": "a brand new secret", "new_password_confirm": "a brand new secret"}
    data.update(fields)
    page = forge_browser.post_form("/@@account", data, status=400)
    assert message in page.text
    assert PASSWORD not in page.text and "a brand new secret" not in page.text
    forge_browser.logout()
    forge_browser.login("ada")          # the old password still works


def test_anonymous_account_post_is_refused(forge_browser, make_user):
    make_user("ada")
    forge_browser.post("/@@account", {"form": "profile", "display_name": "x",
                                      "email": "x@example.test",
                                      "csrf_token": token(forge_browser, "/@@login")},
                       status=403)


def test_sign_in_works_on_a_site_anonymous_users_may_not_read(forge_browser, make_user):
    from forge.model import SiteConfig
    make_user("ada")
    site = SiteConfig.query.get(key="site")
    site.acl = []
    session.flush()
    forge_browser.get("/", status=404)
    forge_browser.get("/@@signup", status=404)    # no open sign-up on a closed site
    login(forge_browser, "ada", status=400, password="wrong password")
    login(forge_browser, "ada")
    forge_browser.post_form("/@@logout", status=302)


# --- revoking sessions (issue 10 item 7; details in test_sessions.py) -------

def test_a_cookie_replayed_after_logout_is_signed_out(forge_app, forge_browser, make_user):
    from forge.testing import ForgeBrowser
    make_user("ada")
    forge_browser.login("ada")
    saved = dict(forge_browser.app.cookies)
    forge_browser.post_form("/@@logout", status=302)
    replay = ForgeBrowser(forge_app)
    for name, value in saved.items():
        replay.app.set_cookie(name, value)
    assert replay.get("/@@account", status=302).location.startswith("http://localhost/@@login")


def test_a_password_change_signs_out_the_other_browsers(forge_app, forge_browser, make_user):
    from forge.testing import ForgeBrowser
    make_user("ada")
    other = ForgeBrowser(forge_app)
    other.login("ada")
    forge_browser.login("ada")
    forge_browser.post_form("/@@account", {
        "form": "password", "current_password": PASSWORD,
        "new_password": "a brand new secret", "new_password_confirm": "a brand new secret"},
        status=302)
    assert signed_in_as(forge_browser) == "ada"
    assert signed_in_as(other) is None
