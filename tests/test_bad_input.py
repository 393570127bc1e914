"""Bad input gets a clear 4xx with a message, never a 500, and changes nothing."""
import pytest

from forge.model import Project, User


@pytest.fixture
def demo(make_user, make_project):
    ada = make_user("ada")
    make_project("demo", ada, title="Demo")
    return ada


def snapshot_db():
    return (sorted(p.shortname for p in Project.query.find()),
            sorted(u.username for u in User.query.find()))


@pytest.mark.parametrize("path", [
    "/p/%zz/",                 # malformed percent-encoding
    "/p/%ff%fe/",              # not UTF-8
    "/p/demo/%c3%28/",         # invalid UTF-8 sequence
    "/p/demo/%00/",            # NUL
    "/p/demo/a%00b/",
    "/p/" + "x" * 300 + "/",   # over-long name
    "/p/demo/" + "y" * 5000,
    "/p/../../etc/passwd",     # dot segments
    "/p/demo/../../../",
    "/p/demo/%2e%2e/%2e%2e/",
    "/p/@@nothing-here",
    "/p/demo/@@no-such-view",
])
def test_bad_paths_are_4xx(forge_browser, demo, path):
    before = snapshot_db()
    response = forge_browser.get(path, status="*", expect_errors=True)
    assert 300 <= response.status_int < 500 or response.status_int == 200, response.status
    assert response.status_int != 500
    if response.status_int >= 400:
        assert "Not found" in response.text or "Bad request" in response.text
    assert snapshot_db() == before


def test_dot_segments_resolve_inside_the_site(forge_browser, demo):
    # '..' is resolved by traversal, never escapes the tree
    response = forge_browser.get("/p/demo/../demo/", status="*")
    assert response.status_int in (200, 404)


@pytest.mark.parametrize("shortname,message", [
    ("@@admin", "reserved for views"),
    ("x" * 300, "at most 63 characters"),
    ("a\x00b", "only lowercase letters"),
    ("..", "only lowercase letters"),
    ("Has Space", "only lowercase letters"),
    ("demo", "taken"),
])
def test_bad_project_names_are_400(forge_browser, demo, shortname, message):
    forge_browser.login("ada")
    before = snapshot_db()
    response = forge_browser.post_form("/p/@@create", {
        "shortname": shortname, "title": "T", "description": ""}, status="*")
    assert response.status_int == 400
    assert message in response.text
    assert snapshot_db() == before


def test_non_utf8_form_body_is_400(forge_browser, demo):
    forge_browser.login("ada")
    token = forge_browser.csrf()
    before = snapshot_db()
    body = b"shortname=ok&title=%ff%fe&csrf_token=" + token.encode()
    response = forge_browser.post("/p/@@create", body, status="*",
                                  content_type="application/x-www-form-urlencoded")
    assert response.status_int == 400
    assert "UTF-8" in response.text
    assert snapshot_db() == before


def test_oversize_body_is_413(forge_browser, demo):
    forge_browser.login("ada")
    before = snapshot_db()
    response = forge_browser.post_form("/p/@@create", {
        "shortname": "big", "title": "Big", "description": "x" * (2 * 1024 * 1024)},
        status="*")
    assert response.status_int == 413
    assert "larger than the limit" in response.text
    assert snapshot_db() == before


@pytest.mark.parametrize("token", [None, "", "wrong-token"])
def test_missing_or_wrong_csrf_is_400(forge_browser, demo, token):
    forge_browser.login("ada")
    before = snapshot_db()
    fields = {"shortname": "newproj", "title": "New"}
    if token is not None:
        fields["csrf_token"] = token
    response = forge_browser.post("/p/@@create", fields, status="*")
    assert response.status_int == 400
    assert "security token" in response.text
    assert snapshot_db() == before


def test_csrf_checked_for_json_clients_too(forge_browser, demo):
    forge_browser.login("ada")
    response = forge_browser.post("/p/@@create", {"shortname": "x", "title": "x"},
                                  headers={"Accept": "application/json"}, status="*")
    assert response.status_int == 400
    assert "security token" in response.json["message"]
