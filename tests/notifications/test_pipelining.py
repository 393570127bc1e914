"""The mailer pipelines MAIL, RCPT and DATA (RFC 2920) to a server that
offers PIPELINING: the messages arrive whole (dot-stuffed lines included),
and a refused recipient or message raises as smtplib's ``sendmail`` does,
leaving the session usable for the next message."""
import smtplib
import socket

import pytest
from aiosmtpd.controller import Controller

from forge.notifications import mailer as mailer_module


class PipeliningSink:
    """An aiosmtpd handler that offers PIPELINING, refuses one address and
    answers the next ``fail_next`` messages with a 451."""

    def __init__(self):
        self.messages = []
        self.fail_next = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        return responses[:-1] + ["250-PIPELINING", responses[-1]]

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("nobody@"):
            return "550 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.fail_next:
            self.fail_next -= 1
            return "451 Temporary failure, try again later"
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


@pytest.fixture
def pipelining_server():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sink = PipeliningSink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    sink.port = port
    yield sink
    controller.stop()


def test_pipelined_messages_arrive_whole_and_refusals_raise(pipelining_server, monkeypatch):
    def not_called(*args, **kwargs):
        raise AssertionError("smtplib's one-command-at-a-time path was taken")
    connection = mailer_module.SMTP("127.0.0.1", pipelining_server.port, timeout=10)
    try:
        monkeypatch.setattr(smtplib.SMTP, "data", not_called)
        monkeypatch.setattr(mailer_module.QuotingOnce, "mail", not_called)
        monkeypatch.setattr(mailer_module.QuotingOnce, "rcpt", not_called)
        body = b"Subject: One\r\n\r\nFirst line.\r\n.A dot starts this line.\r\n..and two"
        assert connection.sendmail("forge@example.test", ["a@example.test"], body) == {}
        with pytest.raises(smtplib.SMTPRecipientsRefused):
            connection.sendmail("forge@example.test", ["nobody@example.test"], body)
        pipelining_server.fail_next = 1
        with pytest.raises(smtplib.SMTPDataError):
            connection.sendmail("forge@example.test", ["b@example.test"], body)
        # the session is in step after each refusal
        assert connection.sendmail("forge@example.test", "c@example.test",
                                   b"Subject: Two\r\n\r\nSecond.\r\n") == {}
    finally:
        connection.close()
    assert [(sender, to) for sender, to, _content in pipelining_server.messages] == [
        ("forge@example.test", ["a@example.test"]), ("forge@example.test", ["c@example.test"])]
    first = pipelining_server.messages[0][2]
    assert first.rstrip(b"\r\n") == body
    assert pipelining_server.messages[1][2] == b"Subject: Two\r\n\r\nSecond.\r\n"
