"""Password reset by mail and a site admin's forced reset (issue 16).

The forge mails a real SMTP server (``forge.testing.SmtpSink``), one for the
module so that every test shares one configured forge.
"""
import re
import time
from urllib.parse import urlsplit

import pytest

from forge.actions import ActionError
from forge.actions.password_reset import (ASKS_PER_NAME, ASKS_PER_NETWORK, EXPIRED, INVALID,
                                          MAILS_PER_ACCOUNT, SAME_PASSWORD,
                                          force_password_reset)
from forge.actions.tokens import create_token
from forge.model import ApiToken, ChangeLogEntry, User, session
from forge.model.session import collection
from forge.model.web_session import sessions_of
from forge.views import password_reset as password_reset_views
from forge.testing import (CSRF, PASSWORD, ForgeBrowser, SmtpSink, forge_test_settings,
                           smtp_settings)

LINK = re.compile(r"(\S+/@@reset-password\?token=\S+)")
NEW = "a brand new password"


@pytest.fixture(scope="module")
def sink():
    server = SmtpSink().start()
    yield server
    server.stop()


@pytest.fixture
def forge_settings(sink):
    sink.clear()
    return forge_test_settings(**smtp_settings(sink))


@pytest.fixture
def browser(forge_app, monkeypatch):
    # answers at a fixed time are tested once, below; the others need not wait
    monkeypatch.setattr(password_reset_views, "ANSWER_SECONDS", 0.0)
    return lambda: ForgeBrowser(forge_app)


def fresh(username):
    session.close()
    return User.by_username(username)


def mails_to(sink, address, count=1, wait=5.0):
    """The reset mails that reached ``address`` (they leave on a thread)."""
    deadline = time.time() + wait
    while len(sink.to(address)) < count and time.time() < deadline:
        time.sleep(0.02)
    return sink.to(address)


def link_path(message):
    url = urlsplit(LINK.search(message.get_body(("plain",)).get_content()).group(1))
    return "%s?%s" % (url.path, url.query)


def ask(browser, name, status=200, environ=None):
    token = CSRF.search(browser.get("/@@forgot-password").text).group(1)
    return browser.post("/@@forgot-password", {"name": name, "csrf_token": token},
                        status=status, extra_environ=environ or {})


def neutral(text, *names):
    for name in names:
        text = re.sub(re.escape(name), "NAME", text, flags=re.IGNORECASE)
    return CSRF.sub("CSRF", text)


def cookie_shapes(response):
    return sorted(re.sub(r"=[^;]*;", "=V;", c, count=1).split("expires=")[0]
                  for c in response.headers.getall("Set-Cookie"))


def test_the_sign_in_page_links_to_the_reset(browser):
    page = browser().get("/@@login")
    assert 'href="http://localhost/@@forgot-password"' in page.text


def test_asking_answers_the_same_for_any_name_or_address(browser, make_user, sink):
    make_user("ada")
    answers = []
    for name in ("ada", "ADA@example.test", "nobody", "nobody@example.test"):
        response = ask(browser(), name)
        answers.append((response.status_int, neutral(response.text, name),
                        cookie_shapes(response)))
    assert all(answer == answers[0] for answer in answers)
    assert "a link to choose a new password is on its way" in answers[0][1]
    assert len(mails_to(sink, "ada@example.test", 2)) == 2
    assert sink.to("nobody@example.test") == []


def test_the_answer_comes_at_a_fixed_time_whoever_is_asked_for(browser, make_user,
                                                                 monkeypatch, sink):
    make_user("ada")
    monkeypatch.setattr(password_reset_views, "ANSWER_SECONDS", 0.3)
    for name in ("ada", "nobody"):
        asking = browser()
        token = CSRF.search(asking.get("/@@forgot-password").text).group(1)
        started = time.monotonic()
        asking.post("/@@forgot-password", {"name": name, "csrf_token": token})
        assert time.monotonic() - started >= 0.3, name
    assert mails_to(sink, "ada@example.test")


def test_only_a_verified_address_gets_mail(browser, make_user, registry, sink):
    from forge.actions.users import create_user
    create_user(registry, "newbie", "newbie@example.test", PASSWORD, verified=False)
    sink.clear()
    make_user("ada")
    ask(browser(), "newbie")
    ask(browser(), "newbie@example.test")
    ask(browser(), "ada")            # mailed after the two above were looked at
    assert mails_to(sink, "ada@example.test")
    assert sink.to("newbie@example.test") == []
    assert fresh("newbie").reset_token_hash == ""


def test_a_reset_link_sets_the_password_once_and_ends_every_session(browser, make_user, sink):
    make_user("ada")
    signed_in = browser()
    signed_in.login("ada")
    ask(browser(), "ada")
    [message] = mails_to(sink, "ada@example.test")
    assert message["Subject"] == "Reset your password"
    path = link_path(message)
    stranger = browser()
    page = stranger.get(path)           # a mail scanner's GET changes nothing
    assert 'id="reset-form"' in page.text and fresh("ada").reset_token_hash
    form = page.forms["reset-form"]
    form["new_password"], form["new_password_confirm"] = NEW, NEW
    done = form.submit(status=302)
    assert "/@@login?username=ada" in done.location
    user = fresh("ada")
    assert user.reset_token_hash == "" and sessions_of(user._id, time.time()) == []
    assert signed_in.get("/@@account", status="*").status_int in (302, 403)
    assert ChangeLogEntry.query.get(node_id=user._id, action="user.password.reset")
    browser().login("ada", NEW)
    # used: GET and POST both refuse it
    assert INVALID in stranger.get(path, status=400).text
    token = CSRF.search(stranger.get("/@@login").text).group(1)
    again = stranger.post("/@@reset-password", {
        "token": path.split("token=")[1], "csrf_token": token,
        "new_password": "another password", "new_password_confirm": "another password"},
        status=400)
    assert INVALID in again.text
    browser().login("ada", NEW)


def test_a_refused_new_password_keeps_the_token(browser, make_user, sink):
    make_user("ada")
    ask(browser(), "ada")
    page = browser().get(link_path(mails_to(sink, "ada@example.test")[0]))
    form = page.forms["reset-form"]
    form["new_password"], form["new_password_confirm"] = "short", "short"
    refused = form.submit(status=400)
    assert "at least 8 characters" in refused.text and fresh("ada").reset_token_hash


@pytest.mark.parametrize("token", ["", "garbage", "no-user.abc", ".abc", "x" * 300])
def test_forged_tokens_are_refused(browser, make_user, token):
    make_user("ada")
    assert INVALID in browser().get("/@@reset-password", {"token": token}, status=400).text


def test_another_users_and_a_replaced_token_are_refused(browser, make_user, sink):
    make_user("ada")
    bob = make_user("bob")
    ask(browser(), "ada")
    ada_token = link_path(mails_to(sink, "ada@example.test")[0]).split("token=")[1]
    swapped = "%s.%s" % (bob._id, ada_token.split(".", 1)[1])
    assert INVALID in browser().get("/@@reset-password", {"token": swapped}, status=400).text
    ask(browser(), "ada")
    first, second = mails_to(sink, "ada@example.test", 2)
    assert INVALID in browser().get(link_path(first), status=400).text
    assert 'id="reset-form"' in browser().get(link_path(second)).text


def test_an_expired_token_is_refused(browser, make_user, sink):
    make_user("ada")
    ask(browser(), "ada")
    path = link_path(mails_to(sink, "ada@example.test")[0])
    collection(User).update_one({"username": "ada"}, {"$set": {"reset_token_expires": 1.0}})
    assert EXPIRED in browser().get(path, status=400).text


def test_asking_is_throttled_per_name_and_per_network(browser, make_user, sink):
    make_user("ada")
    for i in range(ASKS_PER_NAME):
        ask(browser(), "ada", environ={"REMOTE_ADDR": "192.0.2.%d" % (i + 1)})
    # the same 429 for an account's name and for any other
    refused = ask(browser(), "ada", status=429, environ={"REMOTE_ADDR": "192.0.2.99"})
    assert "Too many password reset requests" in refused.text
    assert refused.headers["Retry-After"]
    # at most MAILS_PER_ACCOUNT mails whatever was typed
    assert len(mails_to(sink, "ada@example.test", MAILS_PER_ACCOUNT)) == MAILS_PER_ACCOUNT
    for i in range(ASKS_PER_NETWORK):
        ask(browser(), "name%d" % i, environ={"REMOTE_ADDR": "198.51.100.1"})
    ask(browser(), "someone", status=429, environ={"REMOTE_ADDR": "198.51.100.1"})
    ask(browser(), "someone", environ={"REMOTE_ADDR": "198.51.100.2"})


def test_forced_reset_ends_sessions_and_tokens_and_asks_for_a_new_password(
        browser, make_user, registry, sink):
    admin = make_user("root", site_admin=True)
    ada = make_user("ada")
    _record, token = create_token(ada, "script")
    signed_in = browser()
    signed_in.login("ada")
    page = browser()
    page.login("root")
    page.post("/@@admin-users", {"username": "ada", "action": "force-reset",
                                 "csrf_token": page.csrf()}, status=302)
    user = fresh("ada")
    assert user.must_reset_password and sessions_of(user._id, time.time()) == []
    assert ApiToken.query.find({"user_id": user._id, "revoked": None}).count() == 0
    browser().get("/", headers={"Authorization": "Bearer " + token}, status=401)
    assert ChangeLogEntry.query.get(node_id=user._id, action="user.password.force-reset")
    assert mails_to(sink, "ada@example.test")             # a reset link went out too
    # the password still checks, but opens nothing until a new one is chosen
    comer = browser()
    response = comer.login("ada")
    assert response.location.endswith("/@@choose-password")
    assert comer.get("/@@account", status="*").status_int in (302, 403)
    page = comer.get("/@@choose-password")
    form = page.forms["choose-password-form"]
    form["new_password"] = form["new_password_confirm"] = PASSWORD
    assert SAME_PASSWORD in form.submit(status=400).text
    form = comer.get("/@@choose-password").forms["choose-password-form"]
    form["new_password"] = form["new_password_confirm"] = NEW
    form.submit(status=302)
    assert "ada" in comer.get("/@@account").text
    assert not fresh("ada").must_reset_password
    # a site admin cannot do it to themselves (nor so to the last site admin)
    with pytest.raises(ActionError, match="your own account"):
        force_password_reset(registry, admin, admin)


def test_forced_reset_refuses_the_password_over_http_basic(browser, make_user, registry):
    import base64
    admin = make_user("root", site_admin=True)
    ada = make_user("ada")
    force_password_reset(registry, ada, admin)
    basic = base64.b64encode(("ada:%s" % PASSWORD).encode()).decode()
    refused = browser().get("/", headers={"Authorization": "Basic " + basic}, status=401)
    assert "must choose a new password" in refused.text


def test_a_site_admin_is_offered_no_forced_reset_of_themselves(browser, make_user):
    make_user("root", site_admin=True)
    make_user("ada")
    admin = browser()
    admin.login("root")
    page = admin.get("/@@admin-users")
    rows = {name: page.text.split('id="user-%s"' % name)[1].split("</tr>")[0]
            for name in ("root", "ada")}
    assert 'value="force-reset"' in rows["ada"] and 'value="force-reset"' not in rows["root"]
    refused = admin.post("/@@admin-users", {"username": "root", "action": "force-reset",
                                            "csrf_token": admin.csrf()}, status=400)
    assert "your own account" in refused.text
    assert not fresh("root").must_reset_password
