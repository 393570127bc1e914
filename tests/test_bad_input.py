"""Bad input gets a clear 4xx with a message, never a 500, and changes nothing."""
import html
import logging
from urllib.parse import quote

import pytest

from forge.model import Project, User


def build_demo(app):
    """ada and her project "demo": built once (``fresh_app(world=)``), put back
    before each test, so what a test changed is gone in the next."""
    from forge.actions.projects import create_project
    from forge.actions.users import create_user
    from forge.model import Neighborhood
    from forge.testing import PASSWORD
    ada = create_user(app.registry, "ada", "ada@example.test", PASSWORD)
    create_project(app.registry, Neighborhood.query.get(name="p"), "demo", "Demo", ada)


def build_demo_with_note(app):
    """The demo with a notes tool and its note "Guide", by ada."""
    from forge.actions.projects import install_tool
    from tools.notes.actions import create_note
    build_demo(app)
    project, ada = Project.query.get(shortname="demo"), User.by_username("ada")
    tool = install_tool(app.registry, project, "notes", "notes", ada)
    fields = {"title": "Guide", "text": "x", "labels": [], "custom": {}, "ext": {}}
    create_note(app.registry, project, tool, None, "Guide", fields, ada)


@pytest.fixture
def forge_app(request, forge_settings):
    from forge.testing_apps import fresh_app
    world = build_demo_with_note if "note" in request.fixturenames else build_demo
    return fresh_app(forge_settings, world=world)


@pytest.fixture
def demo(forge_app):
    return User.by_username("ada")


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


@pytest.mark.parametrize("content_type", [
    "application/x-www-form-urlencoded; charset=latin-1",
    "application/x-www-form-urlencoded; charset=klingon",
    "multipart/form-data; boundary=abc; charset=iso-8859-1",
])
def test_form_in_another_charset_is_400(forge_browser, demo, content_type):
    """WebOb raises on reading a form declared in another charset (was a 500)."""
    forge_browser.login("ada")
    token = forge_browser.csrf()
    before = snapshot_db()
    if content_type.startswith("multipart"):
        body = ('--abc\r\nContent-Disposition: form-data; name="shortname"\r\n\r\nok\r\n'
                '--abc\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n%s\r\n'
                '--abc--\r\n' % token).encode()
    else:
        body = b"shortname=ok&title=T&csrf_token=" + token.encode()
    # a raw request: WebTest's post() would replace a multipart Content-Type
    response = forge_browser.request("/p/@@create", method="POST", body=body,
                                     content_type=content_type, status="*")
    assert response.status_int == 400
    assert "Forms must be sent in UTF-8." in response.text
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


def test_a_csrf_failure_keeps_what_was_typed(forge_browser, demo):
    """The expired form's text comes back in a form with a fresh token; sending
    it again saves it; passwords are not offered back."""
    forge_browser.login("ada")
    before = snapshot_db()
    response = forge_browser.post("/p/@@create", {
        "shortname": "kept", "title": "A long title I typed", "description": "line 1\nline 2",
        "password": "hunter2-secret", "csrf_token": "stale"}, status=400)
    assert snapshot_db() == before
    form = response.forms["form-again"]
    assert form["title"].value == "A long title I typed"
    assert form["description"].value == "line 1\nline 2"
    assert "password" not in form.fields and "hunter2" not in response.text
    form.submit(status=302)
    assert Project.query.get(shortname="kept") is not None


def test_csrf_checked_for_json_clients_too(forge_browser, demo):
    forge_browser.login("ada")
    response = forge_browser.post("/p/@@create", {"shortname": "x", "title": "x"},
                                  headers={"Accept": "application/json"}, status="*")
    assert response.status_int == 400
    assert "security token" in response.json["message"]


# -- multipart bodies: refused with a message before any view parses them ------

MARKER = "zq7secretmarker"
FIELD = '--{b}\r\nContent-Disposition: form-data; name="username"\r\n\r\n' + MARKER + '\r\n'


def multipart(boundary, parts, closed=True):
    body = "".join(parts).format(b=boundary)
    return (body + ("--%s--\r\n" % boundary if closed else "")).encode()


BAD_MULTIPART = [
    # (Content-Type, body, status, message)
    ("multipart/form-data", multipart("B", [FIELD]), 400, "no multipart boundary"),
    ("multipart/form-data; boundary=", multipart("B", [FIELD]), 400, "no multipart boundary"),
    ("multipart/form-data; boundary=" + "b" * 5000, multipart("b" * 5000, [FIELD]), 400,
     "1 to 70 printable ASCII"),
    ("multipart/form-data; boundary=" + "b" * 71, multipart("b" * 71, [FIELD]), 400,
     "1 to 70 printable ASCII"),
    ('multipart/form-data; boundary="ab "', multipart("ab ", [FIELD]), 400,
     "1 to 70 printable ASCII"),
    ("multipart/form-data; boundary=B", MARKER.encode(), 400, "it has no part"),
    ("multipart/form-data; boundary=B", multipart("B", [FIELD], closed=False), 400,
     "not closed"),
    ("multipart/form-data; boundary=B", multipart("B", [FIELD]).replace(
        b"--B\r\n", b"--Bjunk\r\n", 1), 400, "boundary line is broken"),
    ("multipart/form-data; boundary=B", multipart("B", [FIELD] * 300), 413,
     "more than 256 fields"),
    ("multipart/form-data; boundary=B", multipart("B", [
        '--{b}\r\nContent-Disposition: form-data; name="a"\r\nX-Pad: ' + "p" * 9000
        + "\r\n\r\n" + MARKER + "\r\n"]), 400, "headers over 8 KiB"),
    ("multipart/form-data; boundary=B", multipart("B", [
        '--{b}\r\nContent-Disposition: form-data; name="a"\r\n\r\n' + "t" * (1024 * 1024)
        + "\r\n", FIELD]), 413, "text fields are larger than the limit of 1024 KiB"),
]


@pytest.mark.parametrize("path", ["/@@login", "/@@unsubscribe", "/p/demo/"])
@pytest.mark.parametrize("content_type,body,status,message", BAD_MULTIPART,
                         ids=[case[3] + str(i) for i, case in enumerate(BAD_MULTIPART)])
def test_bad_multipart_is_refused_with_a_message(forge_browser, demo, caplog, path,
                                                 content_type, body, status, message):
    caplog.set_level(logging.DEBUG)
    before = snapshot_db()
    # (not .post: WebTest would re-encode a multipart body with its own boundary)
    response = forge_browser.request(path, method="POST", body=body,
                                     headers={"Content-Type": content_type}, expect_errors=True)
    assert response.status_int == status, response.text[-800:]
    assert message in html.unescape(response.text)
    assert MARKER not in response.text and "bbbbbbbbbb" not in response.text
    assert MARKER not in caplog.text and "bbbbbbbbbb" not in caplog.text
    assert snapshot_db() == before


def test_a_good_multipart_form_still_works(forge_browser, demo):
    forge_browser.login("ada")
    response = forge_browser.post("/p/@@create", {
        "shortname": "multi", "title": "Multi", "description": "",
        "csrf_token": forge_browser.csrf()},
        # files go in the attachment field only (forge.upload_fields); this form
        # takes none, so the file is ignored
        upload_files=[("attachment", "a.txt", b"file body")], status="*")
    assert response.status_int == 302
    assert "multi" in snapshot_db()[0]


# -- numbers from the request: bounded, a 400 with a message --------------------

HUGE_VERSIONS = [str(2 ** 63), str(2 ** 64 + 5), "9" * 5000, "-1", "\u0663", "1e3", ""]


@pytest.fixture
def note(forge_app, demo):
    from tools.notes.model import Note
    return Note.query.get(path="Guide")


def note_version():
    from forge.model import session
    from tools.notes.model import Note
    session.close()
    return Note.query.get(path="Guide").version


@pytest.mark.parametrize("version", HUGE_VERSIONS)
def test_out_of_range_version_in_edit_is_400(forge_browser, note, version):
    forge_browser.login("ada")
    response = forge_browser.post_form("/p/demo/notes/Guide/@@edit", {
        "title": "Guide", "text": "changed", "version": version}, status="*")
    assert response.status_int == 400, response.text[-800:]
    assert "version" in response.text
    assert note_version() == 1


@pytest.mark.parametrize("version", HUGE_VERSIONS[:5])
def test_out_of_range_version_in_views_is_400(forge_browser, note, version):
    for view in ("@@version?v=%s", "@@diff?from=1&to=%s"):
        response = forge_browser.get("/p/demo/notes/Guide/" + view % quote(version),
                                     status="*")
        assert response.status_int == 400, (view, response.status)
        assert "version" in response.text.lower()


@pytest.mark.parametrize("page", [str(2 ** 63), "9" * 5000, "0", "x"])
def test_out_of_range_page_is_400(forge_browser, note, page):
    response = forge_browser.get("/p/demo/@@activity?page=" + page, status="*")
    assert response.status_int == 400
    assert "page number" in response.text


# -- the logs never hold request bodies or form values ---------------------------

def test_server_error_log_holds_no_request_values(forge_browser, demo, caplog, monkeypatch):
    from forge.views import project as project_views

    def failing_create(registry, neighborhood, shortname, *args, **kw):
        raise ValueError("cannot use %r" % shortname)      # a bug that quotes the form

    monkeypatch.setattr(project_views, "create_project", failing_create)
    caplog.set_level(logging.DEBUG)
    forge_browser.login("ada")
    response = forge_browser.post_form("/p/@@create?q=" + MARKER + "query", {
        "shortname": MARKER, "title": "T", "description": MARKER + "body"}, status="*")
    assert response.status_int == 500
    assert "unhandled error on POST /p/@@create" in caplog.text
    assert "ValueError" in caplog.text and "failing_create" in caplog.text
    assert MARKER not in caplog.text


@pytest.fixture
def forge_settings():
    from forge.testing import forge_test_settings
    return forge_test_settings(**{"forge.tools": "tools.notes",
                                  "forge.load_tool_entry_points": "false"})
