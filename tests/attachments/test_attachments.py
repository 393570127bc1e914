"""Attachments: stored in GridFS, served with safe headers under the artifact
that guards them, size-limited (413 naming the limit), audited and announced."""
import io
import re

import pytest

from forge.actions.projects import install_tool
from forge.actions.roles import add_member, role_named
from forge.attachments import (Attachment, AttachmentTooLarge, attachments_by_post,
                               attachments_of, save_attachment)
from forge.attachments.files import content_type_for, safe_filename
from forge.attachments.views import content_disposition
from forge.model import ChangeLogEntry, session
from forge.testing import browser, forge_test_settings
from tools.notes.actions import create_note
from tools.notes.model import Note

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
NOTE = "/p/demo/notes/Guide/"


@pytest.fixture
def forge_settings():
    # only the notes tool: the suite must not depend on tools being written meanwhile
    return forge_test_settings(**{"forge.attachments.max_bytes": "2048",
                                  "forge.tools": "tools.notes",
                                  "forge.load_tool_entry_points": "false"})


@pytest.fixture
def site(registry, make_user, make_project):
    ada = make_user("ada")
    project = make_project("demo", ada)
    mem = make_user("mem")
    add_member(registry, project, role_named(project, "Member"), mem, ada)
    make_user("outsider")
    tool = install_tool(registry, project, "notes", "notes", ada)
    fields = {"title": "Guide", "text": "x", "labels": [], "custom": {}, "ext": {}}
    note = create_note(registry, project, tool, None, "Guide", fields, ada)
    secret = create_note(registry, project, tool, None, "Secret", dict(fields, title="Secret"),
                         ada, private=True)
    session.close()
    return {"ada": ada, "mem": mem, "tool": tool, "note": note, "secret": secret,
            "project": project}


def upload(b, url, files, status=302):
    return b.post_form(url + "@@attach", {},
                       upload_files=[("attachment", name, data) for name, data in files],
                       status=status)


def note_doc(site, path="Guide"):
    session.close()
    return Note.query.get(tool_id=site["tool"]._id, path=path)


def test_upload_list_and_download_a_text_file(forge_app, site):
    ada = browser(forge_app, "ada")
    response = upload(ada, NOTE, [("notes.txt", b"hello world")])
    assert response.location.endswith(NOTE + "#attachments")
    [attachment] = attachments_of(site["note"]._id)
    assert (attachment.filename, attachment.length) == ("notes.txt", 11)
    assert attachment.content_type == "text/plain"
    served = ada.get(NOTE + "@@attachment/%s/notes.txt" % attachment._id)
    assert served.body == b"hello world"
    assert served.headers["Content-Type"] == "application/octet-stream"
    assert served.headers["Content-Disposition"].startswith('attachment; filename="notes.txt"')
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.headers["Content-Security-Policy"] == "sandbox; default-src 'none'"
    # anonymous readers of a public note may download too
    assert browser(forge_app).get(
        NOTE + "@@attachment/%s/notes.txt" % attachment._id).body == b"hello world"


def test_a_real_image_is_inline_html_and_svg_are_downloads(forge_app, site):
    ada = browser(forge_app, "ada")
    upload(ada, NOTE, [("shot.png", PNG), ("evil.html", b"<script>alert(1)</script>"),
                       ("evil.svg", b"<svg onload=alert(1)></svg>"),
                       ("fake.png", b"<html><script>alert(1)</script>")])
    by_name = {a.filename: a for a in attachments_of(site["note"]._id)}
    assert set(by_name) == {"shot.png", "evil.html", "evil.svg", "fake.png"}
    shot = ada.get(NOTE + "@@attachment/%s/shot.png" % by_name["shot.png"]._id)
    assert shot.headers["Content-Type"] == "image/png"
    assert shot.headers["Content-Disposition"].startswith("inline;")
    for name in ("evil.html", "evil.svg", "fake.png"):
        served = ada.get(NOTE + "@@attachment/%s/%s" % (by_name[name]._id, name))
        assert served.headers["Content-Type"] == "application/octet-stream", name
        assert served.headers["Content-Disposition"].startswith("attachment;"), name
        assert served.headers["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in served.headers["Content-Security-Policy"]


def test_the_client_content_type_is_not_trusted(registry, site):
    attachment = save_attachment(registry, site["note"], "page.png",
                                 io.BytesIO(b"<html>"), "image/png", site["ada"])
    assert attachment.content_type == "application/octet-stream"
    assert not attachment.inline


def test_over_the_limit_is_a_friendly_413_and_nothing_is_stored(forge_app, site):
    ada = browser(forge_app, "ada")
    page = upload(ada, NOTE, [("big.bin", b"x" * 2049)], status=413)
    assert "The file is larger than the 2 KiB limit." in page.text
    assert "<html" in page.text.lower()
    assert attachments_of(site["note"]._id) == []
    # (find_one: a count on the empty GridFS collection upsets nx-27017 0.8)
    assert session.db["attachments.files"].find_one() is None
    # exactly the limit is fine
    upload(ada, NOTE, [("ok.bin", b"x" * 2048)])
    assert [a.length for a in attachments_of(site["note"]._id)] == [2048]


def test_a_body_over_the_tween_limit_names_the_attachment_limit(forge_app, site):
    ada = browser(forge_app, "ada")
    big = b"x" * (1024 * 1024 + 300 * 1024)
    page = upload(ada, NOTE, [("huge.bin", big)], status=413)
    assert "The file is larger than the 2 KiB limit." in page.text


def test_save_attachment_reads_no_more_than_the_limit(registry, site):
    class Endless(io.RawIOBase):
        read_total = 0

        def read(self, n=-1):
            n = 4096 if n is None or n < 0 else n
            self.read_total += n
            return b"y" * n

    stream = Endless()
    with pytest.raises(AttachmentTooLarge) as error:
        save_attachment(registry, site["note"], "x", stream, None, site["ada"])
    assert error.value.status == 413
    assert stream.read_total <= 2049


def test_file_names_are_cleaned():
    assert safe_filename("../../etc/passwd") == "passwd"
    assert safe_filename("C:\\Users\\me\\doc.txt") == "doc.txt"
    assert safe_filename("a\x00b\nc\u202e.txt") == "abc.txt"
    assert safe_filename("") == "attachment"
    assert safe_filename("...") == "attachment"
    long_name = safe_filename("a" * 500 + ".tar.gz")
    assert len(long_name) == 200 and long_name.endswith(".gz")
    assert content_type_for("x.html", b"<html>") == "text/html"
    assert content_type_for("x.jpg", b"\xff\xd8\xff\xe0") == "image/jpeg"
    assert content_type_for("x.jpg", b"nope") == "application/octet-stream"


def test_a_strange_file_name_is_served_with_a_safe_disposition(forge_app, site):
    ada = browser(forge_app, "ada")
    upload(ada, NOTE, [("r\u00e9sum\u00e9.txt", b"q")])
    [attachment] = attachments_of(site["note"]._id)
    served = ada.get(NOTE + "@@attachment/%s/x" % attachment._id)
    disposition = served.headers["Content-Disposition"]
    assert 'filename="r_sum_.txt"' in disposition
    assert "filename*=UTF-8''r%C3%A9sum%C3%A9.txt" in disposition
    assert content_disposition("attachment", 'a"b;c\\d.txt') == (
        "attachment; filename=\"a_b_c_d.txt\"; filename*=UTF-8''a%22b%3Bc%5Cd.txt")


def test_wrong_ids_and_other_artifacts_are_404(forge_app, registry, site):
    ada = browser(forge_app, "ada")
    upload(ada, NOTE, [("a.txt", b"a")])
    [attachment] = attachments_of(site["note"]._id)
    ada.get(NOTE + "@@attachment/%s/a.txt" % ("0" * 24), status=404)
    ada.get(NOTE + "@@attachment/", status=404)
    # served only under the artifact it belongs to
    ada.get("/p/demo/notes/Secret/@@attachment/%s/a.txt" % attachment._id, status=404)


def test_a_private_artifacts_files_are_hidden_like_the_artifact(forge_app, registry, site):
    attachment = save_attachment(registry, site["secret"], "plan.txt", io.BytesIO(b"secret"),
                                 None, site["ada"])
    url = "/p/demo/notes/Secret/@@attachment/%s/plan.txt" % attachment._id
    assert browser(forge_app, "ada").get(url).body == b"secret"
    assert "secret" not in browser(forge_app, "outsider").get(url, status=404).text
    browser(forge_app).get(url, status=404)


def test_attach_and_remove_need_update(forge_app, site):
    upload(browser(forge_app, "mem"), NOTE, [("a.txt", b"a")], status=403)
    upload(browser(forge_app), NOTE, [("a.txt", b"a")], status=403)
    assert attachments_of(site["note"]._id) == []
    ada = browser(forge_app, "ada")
    upload(ada, NOTE, [("a.txt", b"a")])
    [attachment] = attachments_of(site["note"]._id)
    browser(forge_app, "mem").post_form(NOTE + "@@attachment-delete",
                                        {"attachment_id": attachment._id}, status=403)
    ada.post_form(NOTE + "@@attachment-delete", {"attachment_id": attachment._id})
    assert attachments_of(site["note"]._id) == []
    ada.get(NOTE + "@@attachment/%s/a.txt" % attachment._id, status=404)
    page = ada.post_form(NOTE + "@@attachment-delete", {"attachment_id": "nope"}, status=400)
    assert "There is no such attachment here." in page.text


def test_attach_without_a_file_is_a_400(forge_app, site):
    page = browser(forge_app, "ada").post_form(NOTE + "@@attach", {}, status=400)
    assert "Choose a file to attach." in page.text


def test_attaching_is_announced_and_audited(forge_app, site):
    upload(browser(forge_app, "ada"), NOTE, [("a.txt", b"a"), ("b.txt", b"b")])
    event = session.db["outbox"].find_one({"topic": "notes.note.updated"})
    assert event["message"]["detail"] == {"attachments": ["a.txt", "b.txt"]}
    entry = ChangeLogEntry.query.get(action="attachment.add")
    assert entry.summary == "attached a.txt, b.txt"


def test_post_attachments_are_grouped_and_follow_the_post(forge_app, registry, site):
    note = site["note"]
    session.db["post"].insert_one({"_id": "p1", "thread_id": "t", "slug": "1", "status": "ok", "deleted": False,
                                   "author_id": site["mem"]._id})
    session.db["post"].insert_one({"_id": "p2", "thread_id": "t", "slug": "2", "status": "pending", "deleted": False,
                                   "author_id": site["mem"]._id})
    one = save_attachment(registry, note, "one.txt", io.BytesIO(b"1"), None, site["mem"],
                          post_id="p1")
    two = save_attachment(registry, note, "two.txt", io.BytesIO(b"2"), None, site["mem"],
                          post_id="p2")
    assert attachments_of(note._id) == []
    grouped = attachments_by_post(note._id)
    assert [a._id for a in grouped["p1"]] == [one._id]
    assert [a._id for a in grouped["p2"]] == [two._id]
    anonymous = browser(forge_app)
    assert anonymous.get(NOTE + "@@attachment/%s/one.txt" % one._id).body == b"1"
    # a pending post's file: its author and moderators only
    anonymous.get(NOTE + "@@attachment/%s/two.txt" % two._id, status=404)
    assert browser(forge_app, "mem").get(NOTE + "@@attachment/%s/two.txt" % two._id).body == b"2"


def test_the_list_template_shows_files_and_a_form_to_who_may_update(forge_app, registry,
                                                                     site):
    from pyramid.renderers import render
    from pyramid.request import Request
    from pyramid.scripting import prepare
    from pyramid.traversal import find_resource

    save_attachment(registry, site["note"], "<b>x.txt", io.BytesIO(b"x"), None, site["ada"])

    def rendered(user):
        request = Request.blank("/p/demo/notes/Guide/")
        env = prepare(request=request, registry=registry)
        try:
            if user is not None:
                from forge.security import TOKEN_USER
                request.environ[TOKEN_USER] = user._id     # as if signed in by a token
            node = find_resource(env["root"], "/p/demo/notes/Guide/")
            return render("attachments/list.jinja2", {
                "attachments": attachments_of(site["note"]._id), "node": node},
                request=request)
        finally:
            env["closer"]()

    anonymous = rendered(None)
    assert "&lt;b&gt;x.txt" in anonymous and "<b>x" not in anonymous
    assert "@@attachment/" in anonymous
    assert "@@attach\"" not in anonymous and "Remove" not in anonymous
    admin = rendered(site["ada"])
    assert "@@attach\"" in admin and "Remove" in admin and 'name="attachment"' in admin


def test_the_default_limit_is_ten_mib_and_named_so():
    from forge.settings import parse_settings
    settings = parse_settings({}, environ={})
    assert settings["forge.attachments.max_bytes"] == 10 * 1024 * 1024
    assert str(AttachmentTooLarge(settings["forge.attachments.max_bytes"])) == \
        "The file is larger than the 10 MiB limit."


def test_many_long_non_ascii_names_flash_a_bounded_message(forge_app, site):
    # 20 names of 200 characters, 3 bytes each in UTF-8: listing them all in the
    # flash once overflowed the session cookie (a 500 after the files were stored)
    ada = browser(forge_app, "ada")
    names = [("%02d" % i) + "界" * 194 + ".txt" for i in range(20)]
    response = upload(ada, NOTE, [(name, b"x") for name in names])
    assert len(attachments_of(site["note"]._id)) == 20
    for header, value in response.headerlist:
        assert len(value) < 4096, header
    page = response.follow()
    flashes = re.findall(r'<p class="flash" role="status">([^<]*)</p>', page.text)
    assert flashes == ["Attached 20 files."]


def test_one_file_is_named_in_the_flash_shortened(forge_app, site):
    ada = browser(forge_app, "ada")
    page = upload(ada, NOTE, [("界" * 190 + ".txt", b"x")]).follow()
    [flash] = re.findall(r'<p class="flash" role="status">([^<]*)</p>', page.text)
    assert flash.startswith("Attached 界界") and flash.endswith("….txt.")
    assert len(flash) <= 100
