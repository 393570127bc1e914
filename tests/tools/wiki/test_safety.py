"""Private pages, the XSS corpus, and attachments served safely (413 over the limit)."""
import pytest

from forge.attachments import attachments_of
from forge.testing import XSS_CORPUS, assert_inert

from .conftest import WIKI, create, stored

# the core's corpus and what the wiki's own [[links]] add
XSS = XSS_CORPUS + (
    "[[<script>alert('x13')</script>]]",
    "[[x\" onmouseover=\"alert('x14')|y]]",
    "[[javascript:alert('x15')]]",
)


def test_xss_corpus_is_inert_in_text_titles_and_lists(site, browse):
    ada = browse("ada")
    text = "\n\n".join(XSS)
    for i, payload in enumerate(XSS):
        create(ada, "n%d" % i, title=payload[:200], text=text)
    urls = ["n%d/" % i for i in range(len(XSS))]
    urls += ["@@index", "@@recent", "n0/@@edit", "n3/@@history", "n1/@@rename"]
    for url in urls:
        assert_inert(ada.get(WIKI + url).text, url)
    assert_inert(ada.post_form(WIKI + "@@preview", {"text": text}).text, "the preview")
    # a page whose *name* is a payload
    name = "<img src=x onerror=alert(1)>"
    create(ada, name, text="[[%s]]" % name)
    page = ada.get(WIKI + "%3Cimg%20src=x%20onerror=alert(1)%3E/")
    assert_inert(page.text, "the page")
    assert "&lt;img src=x" in page.text
    assert_inert(ada.get(WIKI + "@@index").text, "@@index")


def test_private_page_is_invisible_to_outsiders(site, browse):
    mem = browse("mem")
    create(mem, "Diary", text="my secret", private="on")
    create(mem, "Diary/Inner", text="inner secret")
    create(mem, "Public", text="for all, see [[Diary]]")
    assert stored(site, "Diary").acl[-1] == {"access": "deny",
                                             "principal": "system.Everyone",
                                             "permission": "read"}
    for who in ("mem", "dev", "ada"):
        b = browse(who)
        assert "my secret" in b.get(WIKI + "Diary/").text
        assert "Diary" in b.get(WIKI + "@@index").text
        assert "Diary" in b.get(WIKI + "@@recent").text
    for who in ("mem2", "out", None):
        b = browse(who)
        for url in ("Diary/", "Diary/Inner/", "Diary/@@edit", "Diary/@@history",
                    "Diary/@@diff?from=1&to=1", "Diary/@@version?v=1"):
            page = b.get(WIKI + url, status=404)
            assert "secret" not in page.text, (who, url)
        for url in ("@@index", "@@recent"):
            listing = b.get(WIKI + url).text
            assert "Diary" not in listing and "Inner" not in listing and "Public" in listing
    # a sub-page cannot be hung under a page one may not read
    page = create(browse("mem2"), "Diary/Mine", status=400)
    assert "There is no page “Diary”" in page.text
    # the old address of a renamed private page tells outsiders nothing either
    browse("dev").post_form(WIKI + "Diary/@@rename", {"name": "Journal"}, status=302)
    assert browse("mem").get(WIKI + "Diary/", status=302).location.endswith("/wiki/Journal/")
    for who in ("mem2", None):
        page = browse(who).get(WIKI + "Diary/", status=404)
        assert "Journal" not in page.text


def upload(b, url, files, status=302):
    return b.post_form(url + "@@attach", {},
                       upload_files=[("attachment", name, data) for name, data in files],
                       status=status)


def test_attachments_upload_list_and_safe_download(site, browse):
    ada = browse("ada")
    create(ada, "Files", text="see below")
    upload(ada, WIKI + "Files/", [("notes.txt", b"plain"),
                                  ("evil.html", b"<script>alert(1)</script>"),
                                  ("evil.svg", b"<svg onload=alert(1)></svg>")])
    doc = stored(site, "Files")
    by_name = {a.filename: a for a in attachments_of(doc._id)}
    assert set(by_name) == {"notes.txt", "evil.html", "evil.svg"}
    page = ada.get(WIKI + "Files/")
    assert 'id="attachments"' in page.text and "evil.svg" in page.text
    for name in ("evil.html", "evil.svg", "notes.txt"):
        served = browse().get(WIKI + "Files/@@attachment/%s/%s" % (by_name[name]._id, name))
        assert served.headers["Content-Type"] == "application/octet-stream", name
        assert served.headers["Content-Disposition"].startswith("attachment;"), name
        assert served.headers["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in served.headers["Content-Security-Policy"]
    # members may not attach (update is the developers')
    upload(browse("mem"), WIKI + "Files/", [("x.txt", b"x")], status=403)


def test_attachment_over_the_limit_is_a_413_with_the_message(site, browse):
    ada = browse("ada")
    create(ada, "Big")
    page = upload(ada, WIKI + "Big/", [("big.bin", b"x" * 2049)], status=413)
    assert "The file is larger than the 2 KiB limit." in page.text
    assert attachments_of(stored(site, "Big")._id) == []


def test_private_page_attachments_are_hidden(site, browse):
    ada = browse("ada")
    create(ada, "Hidden", private="on")
    upload(ada, WIKI + "Hidden/", [("a.txt", b"secret bytes")])
    attachment = attachments_of(stored(site, "Hidden")._id)[0]
    url = WIKI + "Hidden/@@attachment/%s/a.txt" % attachment._id
    assert browse("dev").get(url).body == b"secret bytes"
    browse("mem2").get(url, status=404)


@pytest.mark.parametrize("payload", XSS)
def test_rendered_wiki_markdown_has_no_active_content(site, browse, payload):
    html = browse("ada").post_form(WIKI + "@@preview", {"text": "a\n\n" + payload}).text
    assert_inert(html)


def test_recent_changes_filter_private_pages_before_paging(site, browse):
    mem = browse("mem")
    for i in range(26):
        create(mem, "P%02d" % i, text="public")
    create(mem, "Secret1", private="on")
    create(mem, "Secret2", private="on")
    mem2 = browse("mem2")
    first = mem2.get(WIKI + "@@recent").text
    second = mem2.get(WIKI + "@@recent?page=2").text
    assert first.count("@@history") == 25 and "Older →" in first
    assert second.count("@@history") == 1 and "P00" in second and "Older →" not in second
    assert "Secret" not in first + second
    mine = browse("mem").get(WIKI + "@@recent").text
    assert ">Secret1</a>" in mine and ">Secret2</a>" in mine
