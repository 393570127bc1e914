"""A corpus of real-world message shapes (``corpus/*.eml``): the text the
person wrote, without quotes, attributions or signatures, decoded from its
charset; HTML-only mail as text with scripts, styles and quotes gone; files
attached as they were named."""
import os

import pytest

from forge.mail_in.parsing import Unreadable, parse_message, strip_quotes

CORPUS = os.path.join(os.path.dirname(__file__), "corpus")

EXPECTED = {
    "gmail_alternative.eml": ("jane.doe@gmail.example", "Re: [Demo] Release plans: new comment",
                              "Works for me — let's ship on Friday."),
    "outlook_top_posting.eml": ("bob.smith@corp.example",
                                "RE: [Demo] Release plans: new comment",
                                "Agreed, I will update the changelog.\n\nBob"),
    "apple_mail.eml": ("chloe@icloud.example", "Re: [Demo] Release plans: new comment",
                       "Très bien, merci !"),
    "html_only.eml": ("user@webmail.example", "Re: thing",
                      "First point: the build is green.\n\none\ntwo\n\nCafé € 5 “ok”"),
    "koi8r.eml": ("vasya@mail.example.ru", "Ответ", "Привет, мир!"),
    "iso2022jp.eml": ("taro@example.jp", "テスト", "こんにちは"),
    "sent_from_phone.eml": ("mobile@example.test", "Re: x", "Yes, merge it."),
    "german_client.eml": ("hans@example.de", "AW: Release", "Grüße, das passt."),
    "signature_and_attachments.eml": ("dev@example.test", "Re: crash",
                                      "Here is the log and a screenshot."),
}


def read(name):
    with open(os.path.join(CORPUS, name), "rb") as corpus_file:
        return parse_message(corpus_file.read())


def test_the_corpus_is_all_checked():
    assert sorted(os.listdir(CORPUS)) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_text_of_each_shape(name):
    sender, subject, text = EXPECTED[name]
    parsed = read(name)
    assert (parsed.sender, parsed.subject, parsed.text) == (sender, subject, text)
    assert parsed.automatic == ""


def test_html_never_carries_markup_or_script():
    parsed = read("html_only.eml")
    for word in ("<", "alert", "color: red", "pixel.gif", "quoted old text"):
        assert word not in parsed.text


def test_attachments_keep_their_names_and_bytes():
    parsed = read("signature_and_attachments.eml")
    assert [(a.filename, a.content_type) for a in parsed.attachments] == [
        ("crash.log", "text/plain"), ("écran.png", "image/png"),
        ("message-3.eml", "message/rfc822")]
    assert parsed.attachments[1].data.startswith(b"\x89PNG")
    assert b"inner body" in parsed.attachments[2].data


@pytest.mark.parametrize("headers, reason", [
    ("Auto-Submitted: auto-replied", "Auto-Submitted: auto-replied"),
    ("Auto-Submitted: no", ""),
    ("Precedence: bulk", "Precedence: bulk"),
    ("Precedence: junk", "Precedence: junk"),
    ("X-Autoreply: yes", "X-Autoreply: yes"),
    ("X-Auto-Response-Suppress: All", "X-Auto-Response-Suppress: All"),
    ("X-Auto-Response-Suppress: OOF", ""),
    ("Content-Type: multipart/report; report-type=delivery-status; boundary=x",
     "a delivery report"),
])
def test_automatic_mail_is_recognised(headers, reason):
    raw = ("From: a@example.test\r\n%s\r\n\r\nbody\r\n" % headers).encode()
    assert read_raw(raw).automatic == reason


def read_raw(raw):
    return parse_message(raw)


@pytest.mark.parametrize("text, expected", [
    ("Fine.\n\nOn Mon, 1 Dec 2026, Ada wrote:\n> old", "Fine."),
    ("On Mon, 1 Dec 2026, Ada wrote:\n> only a quote", ""),
    (">From now on, weekly.", "From now on, weekly."),
    ("Line one\n> quoted\nLine two", "Line one\nLine two"),
    ("Thanks!\n\n-- \nJane\nJane's Company", "Thanks!"),
    ("", ""),
])
def test_quotes_and_signatures(text, expected):
    assert strip_quotes(text) == expected


def test_what_cannot_be_read_at_all():
    """The standard parser reads almost anything; what it cannot is Unreadable."""
    with pytest.raises(Unreadable):
        parse_message(None)
    assert parse_message(b"").text == ""


def test_a_header_read_again_is_not_parsed_again(monkeypatch):
    """The default policy parses a header on every read; the mail policy keeps
    what it parsed, so a second message with the same headers parses none,
    and the messages read the same."""
    from email.headerregistry import HeaderRegistry
    from forge.mail_in import parsing
    if hasattr(parsing, "MAIL_POLICY"):
        parsing.MAIL_POLICY.header_factory._kept.cache_clear()
    parsed = []
    real = HeaderRegistry.__call__

    def counting(self, name, value):
        parsed.append(name)
        return real(self, name, value)
    monkeypatch.setattr(HeaderRegistry, "__call__", counting)
    with open(os.path.join(CORPUS, "signature_and_attachments.eml"), "rb") as eml:
        raw = eml.read()
    first = parse_message(raw)
    assert parsed
    del parsed[:]
    again = parse_message(raw)
    assert parsed == []
    assert again == first
