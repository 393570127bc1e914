"""TOTP two-factor sign-in with recovery codes (issue 16): turning it on and
off, the sign-in step that is no signed-in session, wrong, replayed and
brute-forced codes, recovery codes, and the rule for site admins."""
import base64
import re
import types

import pyotp
import pytest

from forge.actions import two_factor
from forge.actions.two_factor import CODE_FAILURES, RECOVERY_CODES, STEP, WRONG_CODE
from forge.model import ChangeLogEntry, User, session
from forge.model.web_session import sessions_of
from forge.testing import CSRF, PASSWORD, ForgeBrowser, forge_test_settings
from forge.views import sign_in_steps

A = {"REMOTE_ADDR": "203.0.113.9"}


@pytest.fixture
def clock(monkeypatch):
    """The time the code checks read, moved on by hand (one TOTP step = 30 s)."""
    now = [1_900_000_000.0]
    monkeypatch.setattr(two_factor, "time", types.SimpleNamespace(time=lambda: now[0]))
    return now


def fresh(username):
    session.close()
    return User.by_username(username)


def code_at(secret, when):
    return pyotp.TOTP(secret).at(int(when // STEP) * STEP)


def turn_on(browser, clock):
    """Turn two-factor sign-in on through the page; returns (secret, recovery codes)."""
    page = browser.get("/@@two-factor")
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page.text).group(1)
    form = page.forms["enable-form"]
    form["code"] = code_at(secret, clock[0])
    done = form.submit()
    codes = re.findall(r"<code>([A-Z2-7]{4}(?:-[A-Z2-7]{4}){3})</code>", done.text)
    return secret, codes


@pytest.fixture
def ada(make_user, forge_app, clock):
    """ada, signed in once to turn two-factor sign-in on; (secret, codes)."""
    make_user("ada")
    browser = ForgeBrowser(forge_app)
    browser.login("ada")
    secret, codes = turn_on(browser, clock)
    clock[0] += STEP                 # the code that turned it on is used up
    return secret, codes


def password_step(browser, username="ada", password=PASSWORD):
    token = CSRF.search(browser.get("/@@login").text).group(1)
    return browser.post("/@@login", {"username": username, "password": password,
                                     "csrf_token": token}, status=302, extra_environ=A)


def give_code(browser, code, status=302):
    page = browser.get("/@@sign-in-code")
    form = page.forms["code-form"]
    form["code"] = code
    return form.submit(status=status, extra_environ=A)


def test_turning_it_on_shows_a_qr_code_and_ten_recovery_codes_once(forge_app, make_user, clock):
    make_user("ada")
    browser = ForgeBrowser(forge_app)
    browser.login("ada")
    page = browser.get("/@@two-factor")
    assert "<svg" in page.text and 'id="qr-code"' in page.text
    assert "<script" not in page.text.split('id="qr-code"')[1].split("</figure>")[0]
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page.text).group(1)
    # a wrong code turns nothing on
    form = page.forms["enable-form"]
    form["code"] = "000000" if code_at(secret, clock[0]) != "000000" else "111111"
    assert "does not match" in form.submit(status=400).text
    assert fresh("ada").totp_secret == ""
    # the same secret is offered again until it is confirmed
    assert secret in browser.get("/@@two-factor").text
    _secret, codes = turn_on(browser, clock)
    assert len(codes) == len(set(codes)) == RECOVERY_CODES
    user = fresh("ada")
    assert user.totp_secret == secret and len(user.recovery_code_hashes) == RECOVERY_CODES
    assert not any(code in str(user.recovery_code_hashes) for code in codes)
    assert ChangeLogEntry.query.get(node_id=user._id, action="user.2fa.enable")
    again = browser.get("/@@two-factor")
    assert 'id="two-factor-on"' in again.text and codes[0] not in again.text
    assert "Recovery codes, or turn it off" in browser.get("/@@account").text


def test_the_password_alone_opens_nothing(forge_app, ada, clock):
    signed_in = ChangeLogEntry.query.find({"action": "user.sign-in"}).count()
    browser = ForgeBrowser(forge_app)
    response = password_step(browser)
    assert response.location.endswith("/@@sign-in-code")
    # half signed in: no account page, no identity anywhere, no "signed in" entry
    assert ChangeLogEntry.query.find({"action": "user.sign-in"}).count() == signed_in
    assert browser.get("/@@account", status="*").status_int in (302, 403)
    assert browser.get("/@@two-factor", status="*").status_int in (302, 403)
    assert 'href="http://localhost/@@login' in browser.get("/").text
    give_code(browser, code_at(ada[0], clock[0]))
    assert "ada" in browser.get("/@@account").text
    assert ChangeLogEntry.query.find({"action": "user.sign-in"}).count() == signed_in + 1


def test_no_server_session_exists_between_the_steps(forge_app, ada, clock):
    import time
    before = len(sessions_of(fresh("ada")._id, time.time()))    # the fixture's
    browser = ForgeBrowser(forge_app)
    password_step(browser)
    assert len(sessions_of(fresh("ada")._id, time.time())) == before
    give_code(browser, code_at(ada[0], clock[0]))
    assert len(sessions_of(fresh("ada")._id, time.time())) == before + 1


def test_a_wrong_code_is_refused_and_logged(forge_app, ada, clock):
    browser = ForgeBrowser(forge_app)
    password_step(browser)
    right = code_at(ada[0], clock[0])
    wrong = "%06d" % ((int(right) + 1) % 1000000)
    page = give_code(browser, wrong, status=400)
    assert WRONG_CODE in page.text
    assert ChangeLogEntry.query.get(action="user.sign-in.failed") is not None
    assert browser.get("/@@account", status="*").status_int in (302, 403)
    give_code(browser, right)


def test_a_code_cannot_be_replayed_within_its_window(forge_app, ada, clock):
    code = code_at(ada[0], clock[0])
    first = ForgeBrowser(forge_app)
    password_step(first)
    give_code(first, code)
    second = ForgeBrowser(forge_app)
    password_step(second)
    assert WRONG_CODE in give_code(second, code, status=400).text
    # nor an older one, still inside the drift window
    assert WRONG_CODE in give_code(second, code_at(ada[0], clock[0] - STEP), status=400).text
    clock[0] += STEP
    give_code(second, code_at(ada[0], clock[0]))


def test_guessing_codes_is_throttled(forge_app, ada, clock):
    browser = ForgeBrowser(forge_app)
    password_step(browser)
    right = code_at(ada[0], clock[0])
    wrong = "%06d" % ((int(right) + 7) % 1000000)
    for _ in range(CODE_FAILURES):
        give_code(browser, wrong, status=400)
    refused = give_code(browser, right, status=429)      # even the right one, for now
    assert "Too many wrong codes" in refused.text and refused.headers["Retry-After"]
    # from another browser too: the count is the account's
    other = ForgeBrowser(forge_app)
    password_step(other)
    give_code(other, right, status=429)


def test_a_recovery_code_works_once(forge_app, ada, clock):
    _secret, codes = ada
    browser = ForgeBrowser(forge_app)
    password_step(browser)
    give_code(browser, codes[0].lower().replace("-", " "))     # as typed from paper
    user = fresh("ada")
    assert len(user.recovery_code_hashes) == RECOVERY_CODES - 1
    assert ChangeLogEntry.query.get(node_id=user._id, action="user.2fa.recovery-used")
    again = ForgeBrowser(forge_app)
    password_step(again)
    assert WRONG_CODE in give_code(again, codes[0], status=400).text
    give_code(again, codes[1])


def test_new_recovery_codes_end_the_old_ones(forge_app, ada, clock):
    _secret, old = ada
    browser = ForgeBrowser(forge_app)
    password_step(browser)
    give_code(browser, code_at(ada[0], clock[0]))
    page = browser.get("/@@two-factor").forms["recovery-codes-form"].submit()
    new = re.findall(r"<code>([A-Z2-7-]{19})</code>", page.text)
    assert len(new) == RECOVERY_CODES and not set(new) & set(old)
    other = ForgeBrowser(forge_app)
    password_step(other)
    give_code(other, old[2], status=400)
    give_code(other, new[0])


def test_a_pending_sign_in_expires_and_dies_with_a_password_change(
        forge_app, ada, clock, monkeypatch):
    from forge.actions.users import change_password
    browser = ForgeBrowser(forge_app)
    password_step(browser)
    change_password(fresh("ada"), PASSWORD, "a changed password")
    assert browser.get("/@@sign-in-code", status=302).location.endswith("/@@login")
    password_step(browser, password="a changed password")
    monkeypatch.setattr(sign_in_steps, "PENDING_SECONDS", -1)
    assert browser.get("/@@sign-in-code", status=302).location.endswith("/@@login")


def test_turning_it_off_needs_a_code_or_the_password(forge_app, ada, clock):
    browser = ForgeBrowser(forge_app)
    password_step(browser)
    give_code(browser, code_at(ada[0], clock[0]))
    form = browser.get("/@@two-factor").forms["disable-form"]
    form["code"] = "not it"
    assert WRONG_CODE in form.submit(status=400).text
    assert fresh("ada").totp_secret
    form = browser.get("/@@two-factor").forms["disable-form"]
    form["code"] = PASSWORD
    form.submit(status=302)
    user = fresh("ada")
    assert user.totp_secret == "" and user.recovery_code_hashes == []
    assert ChangeLogEntry.query.get(node_id=user._id, action="user.2fa.disable")
    ForgeBrowser(forge_app).login("ada")         # the password alone again


def test_http_basic_with_the_password_is_refused_a_token_is_not(forge_app, ada, clock):
    from forge.actions.tokens import create_token
    basic = base64.b64encode(("ada:%s" % PASSWORD).encode()).decode()
    refused = ForgeBrowser(forge_app).get("/@@account", status=401,
                                          headers={"Authorization": "Basic " + basic})
    assert "two factors" in refused.text
    _record, token = create_token(fresh("ada"), "git")
    basic = base64.b64encode(("ada:%s" % token).encode()).decode()
    ForgeBrowser(forge_app).get("/@@account", headers={"Authorization": "Basic " + basic})


class TestRequiredForSiteAdmins:
    @pytest.fixture
    def forge_settings(self):
        return forge_test_settings(**{"forge.auth.require_2fa_for_site_admins": "true"})

    def test_a_site_admin_sets_it_up_before_anything_else(self, forge_app, make_user, clock):
        make_user("root", site_admin=True)
        make_user("ada")
        ada = ForgeBrowser(forge_app)
        ada.login("ada")
        ada.get("/@@account")                 # not a site admin: nothing required
        admin = ForgeBrowser(forge_app)
        admin.login("root")
        for path in ("/", "/@@admin", "/@@account", "/p/"):
            response = admin.get(path, status=302)
            assert response.location.endswith("/@@two-factor"), path
        page = admin.get("/@@two-factor")
        assert 'id="two-factor-required"' in page.text
        secret, _codes = turn_on(admin, clock)
        admin.get("/@@admin")
        # and it cannot be turned off here
        assert 'id="disable-form"' not in admin.get("/@@two-factor").text
        refused = admin.post("/@@two-factor", {"form": "disable", "code": PASSWORD,
                                               "csrf_token": admin.csrf()}, status=400)
        assert "must use two-factor" in refused.text
        assert fresh("root").totp_secret == secret

    def test_a_site_admin_cannot_use_the_password_alone_over_http_basic(self, forge_app,
                                                                       make_user):
        make_user("root", site_admin=True)
        make_user("ada")
        for name, status in (("root", 401), ("ada", 200)):
            basic = base64.b64encode(("%s:%s" % (name, PASSWORD)).encode()).decode()
            ForgeBrowser(forge_app).get("/@@account", status=status,
                                        headers={"Authorization": "Basic " + basic})
