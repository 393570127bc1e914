"""Signed-in pages kept per session (forge.signed_pages), on wiki pages: a
session reads its own page again from the store while nothing changed; no
other session or reader ever gets it; ending the session, a write, the unread
badge, a pending flash and the "last seen" touch each bring a fresh page."""
import json
import time

import pytest
from pyramid.response import Response
from pyramid.testing import DummyRequest

from forge.actions.users import change_password, end_other_sessions, set_disabled
from forge.model import User, session
from forge.model.web_session import (WebSession, bump_user_generation, save_session_data,
                                     session_id_hash)
from forge.model.session import collection
from forge.page_cache import ALLOWED, GENERATIONS, HEADER
from forge.sessions import TOUCH_SECONDS
from forge.signed_pages import SignedInPages
from forge.testing import PASSWORD

from .conftest import WIKI, create, stored
from .test_page_cache import node

PAGE = WIKI + "Kept/"
COOKIE = "forge_session"


def cache_state(response):
    return response.headers.get(HEADER)


@pytest.fixture
def page(site, browse):
    create(browse("ada"), "Kept", text="first words")
    return stored(site, "Kept")


def kept(browser, url=PAGE):
    """GET twice: the second answer, which should come from the store."""
    browser.get(url)
    return browser.get(url)


def cookie_of(browser):
    return browser.app.cookies[COOKIE]


def record_of(browser):
    session.close()
    return collection(WebSession, bump=False).find_one(
        {"_id": session_id_hash(cookie_of(browser)[len("s1."):])})


def with_cookie(browse, value):
    """A browser that carries a copy of a session cookie (a stolen or stale one)."""
    other = browse()
    other.app.set_cookie(COOKIE, value)
    return other


def test_a_session_reads_its_own_page_again_from_the_store(page, browse):
    ada = browse("ada")
    first = ada.get(PAGE)
    assert cache_state(first) == "miss" and "Sign out" in first.text
    second = ada.get(PAGE)
    assert cache_state(second) == "hit"
    assert second.body == first.body
    assert second.headers["Content-Type"] == first.headers["Content-Type"]
    assert second.headers["Cache-Control"] == "private"
    assert "Set-Cookie" not in second.headers
    assert ada.get(PAGE, headers={"If-None-Match": second.headers["ETag"]}, status=304)


def test_no_other_session_or_reader_gets_it(page, browse):
    ada = browse("ada")
    assert cache_state(kept(ada)) == "hit"
    # the same user in another browser: another session, its own CSRF token
    ada_elsewhere = browse("ada")
    other = ada_elsewhere.get(PAGE)
    assert cache_state(other) == "miss" and "Sign out" in other.text
    mem = browse("mem")
    theirs = mem.get(PAGE)
    assert cache_state(theirs) == "miss"
    assert ">mem<" in theirs.text and ">ada<" not in theirs.text
    anonymous = browse().get(PAGE)
    assert cache_state(anonymous) == "miss" and "Sign out" not in anonymous.text
    # a copy of ada's cookie beside another cookie, or with a token in the query:
    # never served from the store
    copy = with_cookie(browse, cookie_of(ada))
    copy.app.set_cookie("other", "1")
    assert cache_state(copy.get(PAGE)) is None
    assert cache_state(ada.get(PAGE + "?token=x")) is None
    assert cache_state(ada.get(PAGE, headers={"Authorization": "Bearer pf_x"},
                               status=401)) is None


def test_signing_out_ends_the_pages_of_the_session(page, browse):
    ada = browse("ada")
    assert cache_state(kept(ada)) == "hit"
    stale = cookie_of(ada)
    ada.post_form("/@@logout", status=302)
    answer = with_cookie(browse, stale).get(PAGE)
    assert cache_state(answer) != "hit"
    assert "Sign out" not in answer.text and "Sign in" in answer.text


def test_signing_out_everywhere_else_ends_the_other_sessions_pages(page, browse, site):
    """Ending sessions writes no page's data (no generation moves): the
    session record checked on each hit is what stops the stored page."""
    ada, elsewhere = browse("ada"), browse("ada")
    assert cache_state(kept(elsewhere)) == "hit"
    session.close()
    end_other_sessions(User.query.get(_id=site["ada"]._id))
    answer = elsewhere.get(PAGE)
    assert cache_state(answer) != "hit" and "Sign out" not in answer.text
    # the action ends every session (the page that asked starts a new one)
    assert "Sign out" not in ada.get(PAGE).text


def test_a_password_change_or_a_disabled_account_ends_the_pages(page, browse, site):
    ada, mem = browse("ada"), browse("mem")
    assert cache_state(kept(ada)) == "hit" and cache_state(kept(mem)) == "hit"
    session.close()
    change_password(User.query.get(_id=site["ada"]._id), PASSWORD, "another-password-1")
    answer = ada.get(PAGE)
    assert cache_state(answer) != "hit" and "Sign out" not in answer.text
    session.close()
    set_disabled(User.query.get(_id=site["mem"]._id), True, site["ada"])
    answer = mem.get(PAGE)
    assert cache_state(answer) != "hit" and "Sign out" not in answer.text


def test_a_write_anywhere_brings_a_fresh_page(page, browse):
    ada = browse("ada")
    assert cache_state(kept(ada)) == "hit"
    browse("mem").post_form(PAGE + "@@post", {"text": "a member comments"}, status=302)
    fresh = ada.get(PAGE)
    assert cache_state(fresh) == "miss" and "a member comments" in fresh.text
    assert cache_state(ada.get(PAGE)) == "hit"


def test_the_unread_badge_brings_a_fresh_page(page, browse, site, run_reactors):
    """A notification moves no site generation (it is ``@not_on_pages``): the
    session record's own generation does."""
    mem = browse("mem")
    mem.post_form(PAGE + "@@watch", {}, status=302)
    assert "watch" in mem.get(PAGE).text         # shows (and pops) the flash
    assert cache_state(kept(mem)) == "hit"
    browse("dev").post_form(PAGE + "@@post", {"text": "dev comments"}, status=302)
    run_reactors()
    fresh = mem.get(PAGE)
    assert cache_state(fresh) == "miss"
    assert fresh.html.select_one("#notifications-link .badge").get_text() == "1"
    assert cache_state(mem.get(PAGE)) == "hit"
    # the session's generation alone (as "mark all read" moves it)
    bump_user_generation(site["mem"]._id)
    assert cache_state(mem.get(PAGE)) == "miss"


def test_a_pending_flash_is_shown_not_a_stored_page(page, browse):
    ada = browse("ada")
    assert cache_state(kept(ada)) == "hit"
    # another request of this session left a message (a form's answer)
    record = record_of(ada)
    data = dict(json.loads(record["data"]), _f_=["Something happened elsewhere."])
    save_session_data(record["_id"], json.dumps(data), time.time(), record["expires"])
    shown = ada.get(PAGE)
    assert cache_state(shown) != "hit" and "Something happened elsewhere." in shown.text
    again = ada.get(PAGE)
    assert "Something happened elsewhere." not in again.text
    assert cache_state(ada.get(PAGE)) == "hit"


def test_the_last_seen_touch_goes_to_the_handler(page, browse, monkeypatch):
    ada = browse("ada")
    assert cache_state(kept(ada)) == "hit"
    seen = record_of(ada)["seen"]
    # the touch falls due (the clock moves on: whether the record is read or
    # kept by this process, the hit must not be served)
    later = time.time() + TOUCH_SECONDS + 1
    monkeypatch.setattr(time, "time", lambda: later)
    touched = ada.get(PAGE)
    assert cache_state(touched) != "hit" and "Set-Cookie" in touched.headers
    assert record_of(ada)["seen"] == later > seen
    assert cache_state(ada.get(PAGE)) == "hit"


def test_an_expired_session_gets_no_stored_page(page, browse, monkeypatch):
    ada = browse("ada")
    assert cache_state(kept(ada)) == "hit"
    expires = record_of(ada)["expires"]
    monkeypatch.setattr(time, "time", lambda: expires + 1)
    answer = ada.get(PAGE)
    assert cache_state(answer) != "hit" and "Sign out" not in answer.text


def test_a_hit_reads_no_session_record_while_the_process_keeps_it(page, browse,
                                                                  monkeypatch):
    """The per-hit check takes the record this process keeps under the page's
    generations (every write of a record but the touch moves them)."""
    from forge.model import web_session
    ada = browse("ada")
    kept(ada)
    finds = []
    store = web_session._store
    monkeypatch.setattr(web_session, "_store",
                        lambda: finds.append(1) or store())
    assert cache_state(ada.get(PAGE)) == "hit"
    assert finds == []


def test_a_page_made_private_is_refused_at_once(page, browse, registry, site):
    from forge.actions.acl import set_privacy
    out = browse("out")
    assert cache_state(kept(out)) == "hit"
    set_privacy(registry, node(registry, "/p/demo/wiki/Kept/"), True, site["ada"])
    session.close()
    assert out.get(PAGE, status=(403, 404)).headers.get(HEADER) != "hit"


def test_the_dashboard_and_forms_are_not_stored(page, browse):
    ada = browse("ada")
    for url in ("/", PAGE + "@@edit", "/@@account"):
        assert cache_state(kept(ada, url)) is None, url


def dummy(registry, session_state, headers=None):
    request = DummyRequest(registry=registry)
    request.environ[ALLOWED] = True
    request.environ[GENERATIONS] = (1, 1)
    request.__dict__["session"] = session_state
    return request, Response(body=b"page", headers=headers or {})


def test_an_answer_marked_no_store_or_of_a_changed_session_is_not_stored(page, browse, registry):
    from forge.sessions import ForgeSession
    ada = browse("ada")
    ada.get(PAGE)
    request = DummyRequest(registry=registry, cookies={COOKIE: cookie_of(ada)})
    state = ForgeSession(registry.forge_session_factory, request)
    kind = SignedInPages(COOKIE)
    assert kind.storable(*dummy(registry, state))
    assert not kind.storable(*dummy(registry, state, {"Cache-Control": "private, no-store"}))
    state.flash("changed")
    assert not kind.storable(*dummy(registry, state))
