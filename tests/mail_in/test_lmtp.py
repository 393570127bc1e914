"""LMTP (behind Postfix or Exim): LHLO, and one answer per recipient after
DATA, so the MTA bounces only what this forge refused."""
import socket

import pytest

from forge.discussion.model import Post
from forge.mail_in.addresses import reply_address
from forge.mail_in.server import MailInServer
from forge.model import session
from forge.model.session import collection

from .conftest import free_port, node_at


@pytest.fixture
def lmtp_server(registry):
    server = MailInServer(registry, listen="127.0.0.1:%d" % free_port(), lmtp=True).start()
    yield server
    server.stop()


def first_answer(address, command):
    with socket.create_connection(address, timeout=30) as connection:
        reader = connection.makefile("rb")
        reader.readline()                                   # the greeting
        connection.sendall(command)
        return reader.readline().decode().strip()


def test_one_answer_per_recipient(registry, site, lmtp_server):
    from forge.artifact_actions import delete_artifact
    from tools.discussion.actions import create_thread
    forum = node_at(registry, "/p/demo/forums/general/")
    kept, _ = create_thread(registry, forum, "Kept", "Text", site["ada"],
                            may_skip_moderation=True)
    gone, _ = create_thread(registry, forum, "Gone", "Text", site["ada"],
                            may_skip_moderation=True)
    settings = registry.settings
    to_kept = reply_address(settings, site["mem"]._id, kept.doc._id)
    to_gone = reply_address(settings, site["mem"]._id, gone.doc._id)
    assert first_answer(lmtp_server.address, b"EHLO x\r\n") == \
        '500 Error: command "EHLO" not recognized'
    with socket.create_connection(lmtp_server.address, timeout=30) as connection:
        reader = connection.makefile("rb")
        reader.readline()

        def say(command):
            connection.sendall(command)
            line = reader.readline()
            while line[3:4] == b"-":
                line = reader.readline()
            return line.decode().strip()
        assert say(b"LHLO client.example.test\r\n").startswith("250 ")
        assert say(b"MAIL FROM:<mem@example.test>\r\n").startswith("250 ")
        assert say(b"RCPT TO:<%s>\r\n" % to_kept.encode()).startswith("250 ")
        assert say(b"RCPT TO:<%s>\r\n" % to_gone.encode()).startswith("250 ")
        session.close()
        delete_artifact(registry, gone.doc, site["ada"])    # gone before DATA
        assert say(b"DATA\r\n").startswith("354 ")
        connection.sendall(b"From: mem@example.test\r\nSubject: Re\r\n\r\nAgreed.\r\n.\r\n")
        per_recipient = [reader.readline().decode().strip() for _ in range(2)]
    assert per_recipient[0].startswith("250 ")
    assert per_recipient[1].startswith("550 ") and "no longer valid" in per_recipient[1]
    session.close()
    assert [p["text"] for p in collection(Post).find({"ref_id": kept.doc._id})
            if p["author_id"] == site["mem"]._id] == ["Agreed."]
