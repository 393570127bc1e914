"""A file sent in a form field that takes text is a 400, never a 500 (found
by tests/test_fuzz.py: notes @@new, wiki @@edit and @@preview raised on a
``cgi.FieldStorage`` where they read text)."""
import pytest

from forge.actions.projects import install_tool
from forge.model import session

from .fuzz_inputs import multipart_body


@pytest.fixture
def demo(forge_browser, registry, make_user, make_project):
    ada = make_user("ada")
    project = make_project("demo", ada)
    for tool, mount in (("wiki", "wiki"), ("notes", "notes")):
        install_tool(registry, project, tool, mount, ada)
    session.close()
    forge_browser.login("ada")
    forge_browser.post_form("/p/demo/wiki/@@new", {"name": "Page", "title": "Page",
                                                   "text": "words"}, status=302)
    return forge_browser


def post_multipart(browser, url, fields, files):
    body = multipart_body("fzb", fields + [("csrf_token", browser.csrf())], files)
    return browser.app.request(url, method="POST", body=body, expect_errors=True,
                               headers={"Content-Type": "multipart/form-data; boundary=fzb"})


@pytest.mark.parametrize("url,fields", [
    ("/p/demo/notes/@@new", [("title", "T"), ("labels", "")]),
    ("/p/demo/wiki/Page/@@edit", [("version", "1"), ("title", "T")]),
    ("/p/demo/wiki/@@preview", []),
])
def test_a_file_in_a_text_field_is_400(demo, url, fields):
    response = post_multipart(demo, url, fields, [("text", "t.txt", "text/plain", b"x")])
    assert response.status_int == 400, response.status
    assert "files go in the attachment field only" in response.text


def test_a_file_in_the_attachment_field_is_still_taken(demo):
    response = post_multipart(demo, "/p/demo/wiki/Page/@@attach", [],
                              [("attachment", "notes.txt", "text/plain", b"words")])
    assert response.status_int == 302
    assert "notes.txt" in demo.get("/p/demo/wiki/Page/").text
