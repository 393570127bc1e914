"""``forge.testing.smtp_server``: one SMTP server per test process, emptied for
each test, so that the tests mailing it share one configured forge.

The first test leaves mail and a pending failure behind; the second (same
xdist group: the same worker, after it) checks that neither is left and that
it got the same server and the same forge."""
import smtplib
from email.message import EmailMessage

import pytest

from forge.testing import forge_test_settings, smtp_settings

pytestmark = pytest.mark.xdist_group("smtp-sink-isolation")

LEFT_BEHIND = {}


@pytest.fixture
def forge_settings(smtp_server):
    return forge_test_settings(**smtp_settings(smtp_server))


def send(server, to):
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "t@example.test", to, "Hello"
    message.set_content("Some text.\n")
    with smtplib.SMTP(server.host, server.port, timeout=30) as client:
        client.send_message(message)


def test_a_test_leaves_mail_and_a_failure_behind(smtp_server, forge_app):
    send(smtp_server, "left@example.test")
    assert [m["To"] for m in smtp_server.messages] == ["left@example.test"]
    smtp_server.fail_next = 2
    LEFT_BEHIND.update(server=smtp_server, app=forge_app)


def test_the_next_test_gets_the_server_empty_and_the_same_forge(smtp_server, forge_app):
    if not LEFT_BEHIND:
        pytest.skip("runs after test_a_test_leaves_mail_and_a_failure_behind")
    assert smtp_server is LEFT_BEHIND["server"]
    assert forge_app is LEFT_BEHIND["app"]             # same settings: configured once
    assert smtp_server.messages == [] and smtp_server.fail_next == 0
    send(smtp_server, "next@example.test")             # answered: no failure pending
    assert [m["To"] for m in smtp_server.messages] == ["next@example.test"]
