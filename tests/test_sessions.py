"""Server-side sessions: the cookie carries a random id, the data lives in
``web_session``; logout, a password change and disabling the user end sessions."""
import contextlib
import json
import time

import pytest
import webtest

from forge.model import User, session
from forge.model.session import collection
from forge.model.cache import current_generations
from forge.model.web_session import (UNKEPT_DATA, WebSession, bump_user_generation,
                                    end_session, end_sessions_of, find_session, keepable,
                                    kept_records, save_session_data, session_id_hash)
from forge.sessions import (FLASH_MAX_CHARS, FLASH_MAX_MESSAGES, FLASH_PREFIX, SERVER_PREFIX,
                            TOUCH_SECONDS)
from forge.testing import ForgeBrowser, PASSWORD, forge_test_settings

from .test_auth import fresh, signed_in_as

NEW_PASSWORD = "a brand new secret"


def stored_sessions(**query):
    return list(collection(WebSession, bump=False).find(query))


@contextlib.contextmanager
def session_store_calls():
    """The methods called on the ``web_session`` collection inside the block
    (``find_one`` counts as its ``find``)."""
    from ming import mim
    calls = []
    names = ("find", "insert_one", "update_one", "update_many", "replace_one",
             "delete_one", "delete_many", "find_one_and_update")
    originals = {name: getattr(mim.Collection, name) for name in names}

    def recording(name):
        def method(self, *args, **kw):
            if self.name == "web_session":
                calls.append(name)
            return originals[name](self, *args, **kw)
        return method

    for name in names:
        setattr(mim.Collection, name, recording(name))
    try:
        yield calls
    finally:
        for name, original in originals.items():
            setattr(mim.Collection, name, original)


def cookie_of(browser, name="forge_session"):
    return browser.app.cookies.get(name)


def with_cookie(forge_app, value, name="forge_session"):
    """Another browser holding a copy of a saved cookie."""
    other = ForgeBrowser(forge_app)
    other.app.set_cookie(name, value)
    return other


def test_cookie_carries_a_random_id_and_the_store_only_its_hash(forge_browser, make_user):
    ada = make_user("ada")
    forge_browser.login("ada")
    value = cookie_of(forge_browser).strip('"')
    assert value.startswith(SERVER_PREFIX) and ada._id not in value
    [record] = stored_sessions(user_id=ada._id)
    assert record["_id"] == session_id_hash(value[len(SERVER_PREFIX):])
    assert value not in str(record)
    assert record["created"] <= record["seen"] <= time.time()
    assert record["expires"] > time.time() + 13 * 24 * 3600
    assert "user_agent" in record and "address" in record


def test_a_cookie_saved_before_logout_is_signed_out(forge_app, forge_browser, make_user):
    make_user("ada")
    forge_browser.login("ada")
    saved = cookie_of(forge_browser)
    forge_browser.post_form("/@@logout", status=302)
    assert stored_sessions() == []
    replay = with_cookie(forge_app, saved)
    response = replay.get("/@@account", status=302)
    assert response.location.startswith("http://localhost/@@login")
    assert signed_in_as(replay) is None


def test_a_password_change_signs_out_every_other_browser(forge_app, forge_browser, make_user):
    make_user("ada")
    other = ForgeBrowser(forge_app)
    other.login("ada")
    forge_browser.login("ada")
    stolen_copy = cookie_of(forge_browser)
    forge_browser.post_form("/@@account", {
        "form": "password", "current_password": PASSWORD,
        "new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD}, status=302)
    assert signed_in_as(forge_browser) == "ada"      # this browser stays signed in
    assert signed_in_as(other) is None
    other.get("/@@account", status=302)
    # the browser that changed it got a new id: a copy of its old cookie is dead too
    assert cookie_of(forge_browser) != stolen_copy
    assert signed_in_as(with_cookie(forge_app, stolen_copy)) is None
    assert len(stored_sessions()) == 1


def test_disabling_a_user_ends_sessions_and_tokens_at_once(forge_app, forge_browser,
                                                           make_user):
    from forge.actions.users import set_disabled
    ada = make_user("ada")
    root = make_user("root", site_admin=True)
    forge_browser.login("ada")
    page = forge_browser.post_form("/@@account", {"form": "token", "name": "script"})
    token = page.html.find(id="new-token-value").text
    script = webtest.TestApp(forge_app)
    script.get("/@@account", headers={"Authorization": "Bearer " + token}, status=200)
    set_disabled(fresh(User, username="ada"), True, actor=root)
    assert stored_sessions(user_id=ada._id) == []
    assert signed_in_as(forge_browser) is None
    response = script.get("/", headers={"Authorization": "Bearer " + token}, status=401)
    assert "disabled" in response.text
    set_disabled(fresh(User, username="ada"), False, actor=root)
    script.get("/@@account", headers={"Authorization": "Bearer " + token}, status=200)
    assert signed_in_as(forge_browser) is None       # ended sessions stay ended


def test_a_disabled_users_session_is_ended_on_its_next_request(forge_browser, make_user):
    ada = make_user("ada")
    forge_browser.login("ada")
    user = fresh(User, username="ada")
    user.disabled = True                # written behind the actions' back
    session.flush()
    assert signed_in_as(forge_browser) is None
    assert stored_sessions(user_id=ada._id) == []


def test_an_expired_session_is_signed_out(forge_browser, make_user):
    make_user("ada")
    forge_browser.login("ada")
    collection(WebSession, bump=False).update_many({}, {"$set": {"expires": time.time() - 1}})
    assert signed_in_as(forge_browser) is None


def test_a_forged_or_unknown_cookie_is_anonymous_and_dropped(forge_app, make_user):
    make_user("ada")
    for value in (SERVER_PREFIX + "x" * 43, "garbage", SERVER_PREFIX, '{"user_id": "x"}'):
        browser = with_cookie(forge_app, value)
        response = browser.get("/")
        assert 'href="http://localhost/@@login' in response.text
        if '"' in value:
            # not an RFC 6265 cookie value: the cookie guard (forge.request_headers)
            # leaves it out before anything reads the cookies, so nobody drops it
            assert "Set-Cookie" not in response.headers
            continue
        assert response.headers["Set-Cookie"].startswith("forge_session=;")
        assert "Max-Age=0" in response.headers["Set-Cookie"]


def test_anonymous_readers_get_no_cookie_and_write_nothing(forge_browser, make_user,
                                                           make_project):
    ada = make_user("ada")
    make_project("demo", ada)
    for url in ("/", "/p/demo/"):
        response = forge_browser.get(url)
        assert "Set-Cookie" not in response.headers
    # a form's CSRF token lives in a signed cookie, not in the database
    forge_browser.get("/@@login")
    assert cookie_of(forge_browser) and stored_sessions() == []


def test_a_signed_in_page_reads_its_session_once_and_writes_nothing(forge_browser,
                                                                    make_user):
    make_user("ada")
    forge_browser.login("ada")
    with session_store_calls() as calls:
        forge_browser.get("/")
    assert calls == ["find"]
    # kept while nothing is written (forge.model.web_session.KeptRecords)
    with session_store_calls() as calls:
        response = forge_browser.get("/")
    assert "Set-Cookie" not in response.headers
    assert calls == []


def test_last_seen_is_updated_at_most_every_touch_interval(forge_browser, make_user,
                                                          monkeypatch):
    make_user("ada")
    forge_browser.login("ada")
    [record] = stored_sessions()
    forge_browser.get("/")
    assert stored_sessions()[0]["seen"] == record["seen"]
    later = time.time() + TOUCH_SECONDS + 1
    monkeypatch.setattr(time, "time", lambda: later)
    response = forge_browser.get("/")
    assert "forge_session=" in response.headers.get("Set-Cookie", "")   # slides in the browser
    assert stored_sessions()[0]["seen"] == later
    # the kept record carries the touch: the next page neither reads nor touches
    with session_store_calls() as calls:
        response = forge_browser.get("/")
    assert calls == [] and "Set-Cookie" not in response.headers


def test_a_record_kept_where_the_touch_was_not_written_is_read_again(forge_browser,
                                                                     make_user):
    """Another process's touch moves no generation: this one reads the record
    again once its own copy says a touch is due, and does not touch twice."""
    make_user("ada")
    forge_browser.login("ada")
    forge_browser.get("/")
    [record] = stored_sessions()
    elsewhere = time.time() + 1
    collection(WebSession, bump=False).update_one(
        {"_id": record["_id"]}, {"$set": {"seen": elsewhere, "expires": elsewhere + 100}})
    kept = kept_records.get(kept_records._generations, record["_id"])
    kept_records.put(kept_records._generations,
                     dict(kept, seen=kept["seen"] - TOUCH_SECONDS - 1))
    with session_store_calls() as calls:
        response = forge_browser.get("/")
    assert calls == ["find"] and "Set-Cookie" not in response.headers


def test_a_session_ended_elsewhere_is_not_kept(forge_app, forge_browser, make_user):
    """Ending a session moves the generations: a process that kept its record
    (this app) reads it again and finds it gone."""
    make_user("ada")
    forge_browser.login("ada")
    assert signed_in_as(forge_browser) == "ada"
    [record] = stored_sessions()
    end_session(record["_id"])                    # as another process signing it out
    assert signed_in_as(forge_browser) is None
    forge_browser.login("ada")
    assert signed_in_as(forge_browser) == "ada"
    end_sessions_of(record["user_id"])            # a password change elsewhere
    assert signed_in_as(forge_browser) is None


def test_a_flash_and_a_badge_written_elsewhere_are_seen(forge_browser, make_user):
    ada = make_user("ada")
    forge_browser.login("ada")
    forge_browser.get("/")
    [record] = stored_sessions()
    data = dict(json.loads(record["data"]), _f_=["Saved in another process."])
    save_session_data(record["_id"], json.dumps(data), time.time(), record["expires"])
    assert "Saved in another process." in forge_browser.get("/").text
    assert "Saved in another process." not in forge_browser.get("/").text
    forge_browser.get("/")
    bump_user_generation(ada._id)
    with session_store_calls() as calls:
        forge_browser.get("/")
    assert calls == ["find"]


def test_a_pending_flash_is_never_kept_so_popping_it_moves_no_generation(
        forge_browser, make_user, make_project):
    make_project("demo", make_user("ada"))
    forge_browser.login("ada")
    forge_browser.post_form("/p/demo/@@edit", {"title": "Renamed"}, status=302)
    [record] = stored_sessions()
    assert not keepable(record["data"])            # the form's answer left a flash
    assert find_session(record["_id"], time.time(), ("some", "generations")) == record
    assert kept_records.get(("some", "generations"), record["_id"]) is None
    before = current_generations(session.db)
    with session_store_calls() as calls:
        forge_browser.get("/")                     # shows and pops it
    assert calls == ["find", "update_one"]
    assert current_generations(session.db) == before
    assert keepable(stored_sessions()[0]["data"])
    with session_store_calls() as calls:           # kept as the pop wrote it
        forge_browser.get("/")
    assert calls == []


def test_the_unkept_mark_is_the_flash_queues_json_key():
    assert UNKEPT_DATA == json.dumps(FLASH_PREFIX)[:-1]
    assert not keepable(json.dumps({FLASH_PREFIX + "queue": ["x"]}))


def test_flash_messages_are_bounded(forge_browser, make_user):
    make_user("ada")
    forge_browser.login("ada")
    request_session = None

    def flash_many(request):
        for number in range(FLASH_MAX_MESSAGES + 20):
            request.session.flash("message %d " % number + "é" * 5000)
        return request.session

    from pyramid.scripting import prepare
    env = prepare(registry=forge_browser.app.app.registry)
    try:
        request = env["request"]
        request.cookies["forge_session"] = cookie_of(forge_browser).strip('"')
        request_session = flash_many(request)
        messages = request_session.peek_flash()
        assert len(messages) == FLASH_MAX_MESSAGES
        assert messages[-1].startswith("message %d " % (FLASH_MAX_MESSAGES + 19))
        assert all(len(m) <= FLASH_MAX_CHARS for m in messages)
    finally:
        env["closer"]()


def test_many_long_attachment_flashes_do_not_overflow_the_cookie(forge_browser, make_user):
    """The cookie is the same short id whatever the session holds."""
    make_user("ada")
    forge_browser.login("ada")
    before = cookie_of(forge_browser)
    forge_browser.post_form("/@@account", {
        "form": "profile", "display_name": "Ada " + "ü" * 90, "email": "ada@example.test"},
        status=302)
    assert cookie_of(forge_browser) == before


class TestCookieName:
    @pytest.fixture
    def forge_settings(self):
        return forge_test_settings(**{"forge.session.cookie_name": "pf_sid"})

    def test_the_cookie_name_comes_from_the_settings(self, forge_browser, make_user):
        make_user("ada")
        response = forge_browser.login("ada")
        assert "pf_sid=" in response.headers["Set-Cookie"]
        assert "forge_session" not in forge_browser.app.cookies
        assert forge_browser.signed_in
        assert signed_in_as(forge_browser) == "ada"


def test_the_account_page_lists_sessions_and_signs_out_everywhere_else(forge_app, make_user):
    """Issue 16: the account page lists where one is signed in, and "sign out
    everywhere else" ends every other session at once (audited)."""
    from forge.model.change_log import ChangeLogEntry
    from forge.testing import ForgeBrowser
    make_user("ada")
    here, there = ForgeBrowser(forge_app), ForgeBrowser(forge_app)
    here.login("ada")
    there.app.extra_environ["HTTP_USER_AGENT"] = "Phone browser"
    there.login("ada")
    page = here.get("/@@account")
    assert "Phone browser" in page.text and "(this browser)" in page.text
    answer = here.post_form("/@@account", {"form": "end-sessions"}).follow()
    assert "1 other session ended" in answer.text
    assert signed_in_as(there) is None               # the other browser is out
    assert signed_in_as(here) == "ada"               # this one goes on
    assert "Phone browser" not in here.get("/@@account").text
    assert [e.action for e in ChangeLogEntry.query.find({"action": "user.sessions.ended"})]
