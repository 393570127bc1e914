"""The signed-in reader as stored (forge.user_lookup.StoredUser) and the
application's one request class (forge.request_class)."""
import re

import pytest
from pyramid.request import Request

from forge.actions.users import update_profile
from forge.model import User, session
from forge.model.cache import find_raw
from forge.user_lookup import StoredUser


@pytest.fixture
def ada(make_user, make_project):
    user = make_user("ada")
    make_project("demo", user, title="Demo Project")
    session.close()
    return user


def account_link(html):
    return re.search(r'<nav class="account">\s*<a href="[^"]*">([^<]*)</a>', html).group(1)


def test_a_rename_shows_on_the_next_page(registry, forge_browser, ada):
    forge_browser.login("ada")
    for _ in range(3):      # the reader, frame and principals now come from the caches
        assert account_link(forge_browser.get("/p/demo/").text) == "ada"
    update_profile(registry, User.query.get(username="ada"), "Ada Lovelace",
                   "ada@example.test")
    session.flush()
    session.close()
    assert account_link(forge_browser.get("/p/demo/").text) == "Ada Lovelace"


def test_a_disabled_reader_is_signed_out_on_the_next_page(forge_browser, ada):
    forge_browser.login("ada")
    forge_browser.get("/p/demo/")
    forge_browser.get("/p/demo/")
    user = User.query.get(username="ada")
    user.disabled = True
    session.flush()
    session.close()
    assert "Sign in" in forge_browser.get("/p/demo/").text


def test_a_stored_user_reads_like_the_user(forge_app, ada):
    raw = find_raw(User, {"username": "ada"})[0]
    raw.pop("email", None)          # a field with no stored value: the Ming default
    reader = StoredUser(raw)
    assert (reader._id, reader.username, reader.title) == (ada._id, "ada", "ada")
    assert reader.email is None
    session.close()
    reader = StoredUser(dict(raw, display_name="Ada L."))
    assert reader.title == "Ada L."
    reader.display_name = "Countess"        # an assignment goes to the Ming object
    assert reader.title == "Countess" and raw.get("display_name") != "Countess"
    assert User.query.get(_id=ada._id).display_name == "Countess"
    session.close()


def test_requests_are_of_one_class_with_the_request_methods(forge_app):
    cls = forge_app.request_factory
    assert forge_app.request_extensions is None
    assert callable(getattr(cls, "forge_url")) and "user" in cls.__dict__
    with forge_app.request_context(Request.blank("/").environ) as request:
        assert type(request) is cls
        assert request.user is None and request.principals == ["system.Everyone"]


def test_a_subrequest_of_another_class_gets_the_request_methods(forge_app):
    sub = Request.blank("/")
    with forge_app.request_context(Request.blank("/").environ) as request:
        assert request.invoke_subrequest(sub, use_tweens=True).status_int == 200
    assert sub.forge_url(sub.root) == "http://localhost/"
