"""Mail headers as they go over the wire: stored text never breaks them, and
``List-Unsubscribe`` is a bare ``<URL>`` a mail provider can read, however
long the forge's base URL.

The SMTP sink here keeps the raw bytes it received (``raw``), so the tests
look at the header lines as sent, not at what a tolerant parser makes of them.
"""
import email
import re
from email import policy

import pytest

from forge.model import session
from forge.model.session import collection
from forge.testing import SmtpSink, forge_test_settings, smtp_settings
from tools.tracker.model import Ticket

from .conftest import TICKETS, edit_ticket, new_ticket, unsubscribe_link

LONG_BASE = "https://forge.example.org/" + "a-long-mount-path/" * 6 + "forge"


class RawSmtpSink(SmtpSink):
    """An ``SmtpSink`` that also keeps each message's bytes (``raw``)."""

    async def handle_DATA(self, server, session, envelope):
        answer = await super().handle_DATA(server, session, envelope)
        if answer.startswith("250"):
            self.messages[-1].raw = envelope.content
        return answer


@pytest.fixture
def smtp_server():
    server = RawSmtpSink().start()
    yield server
    server.stop()


@pytest.fixture
def forge_settings(smtp_server):
    return forge_test_settings(**smtp_settings(smtp_server),
                               **{"forge.base_url": LONG_BASE})


def raw_headers(message):
    """{lowercased name: [raw value as sent, folding kept]} of the header block."""
    block = message.raw.split(b"\r\n\r\n", 1)[0].decode("ascii")
    headers = {}
    for field in re.split(r"\r\n(?![ \t])", block):
        name, _, value = field.partition(":")
        headers.setdefault(name.lower(), []).append(value)
    return headers


def test_list_unsubscribe_is_folded_but_never_encoded(site, login, mail):
    number = new_ticket(login("mem"), "Crash on start")
    edit_ticket(login("dev"), number, status="closed")
    message = mail()["mem@example.test"][0]
    headers = raw_headers(message)
    [value] = headers["list-unsubscribe"]
    assert "=?" not in value                         # no RFC 2047 encoded word
    link = unsubscribe_link(message)
    assert link.startswith(LONG_BASE + "/@@unsubscribe?token=")
    assert len("List-Unsubscribe: <%s>" % link) > 78   # long enough to be folded
    # folded before the URL only: unfolding gives the URL back whole
    assert re.fullmatch(r"\r\n <([^\s]+)>", value).group(1) == link
    assert all(len(line) <= 998 for line in message.raw.split(b"\r\n"))
    assert headers["list-unsubscribe-post"] == [" List-Unsubscribe=One-Click"]


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85", "\r\n", "\x0b"])
def test_a_stored_title_with_a_line_separator_still_mails(site, login, mail, separator):
    """Titles stored before such characters were refused (or written by other
    means) must not make every notification of the artifact fail."""
    number = new_ticket(login("mem"), "Crash on start")
    collection(Ticket).update_one({"tool_id": site["tickets"]._id, "number": number},
                                  {"$set": {"title": "Crash%son start" % separator}})
    collection(type(site["mem"])).update_one(
        {"_id": site["mem"]._id}, {"$set": {"display_name": "Mem%sber" % separator}})
    session.close()
    login("dev").post_form(TICKETS + "%d/@@post" % number, {"text": "Fixed."}, status="*")
    message = mail()["mem@example.test"][0]
    assert message["Subject"] == "[Demo] Re: #1 Crash on start: new comment"
    assert message["To"].addresses[0].display_name == "Mem ber"
    # the header block is well formed: every line a header or a continuation
    for line in message.raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n"):
        assert re.match(rb"[A-Za-z-]+:|[ \t]", line), line
    reparsed = email.message_from_bytes(message.raw, policy=policy.default)
    assert reparsed["Subject"] == message["Subject"]
