"""What the ``forge admin mail-in-*`` tests share: ``forge admin ...`` run
in-process (click's CliRunner) on the test's own forge, and messages applied
as the mail-in server applies them (``apply_message``), without SMTP."""
import contextlib
from email.utils import make_msgid
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from forge.cli import main
from forge.mail_in.receive import apply_message
from forge.model import session

from .conftest import DOMAIN, new_mail


@pytest.fixture
def forge_admin(registry, monkeypatch):
    """``forge_admin("mail-in-log", ...)``: the click Result of ``forge admin
    ...`` on this test's forge (its settings: reply tokens, the mail domain)."""
    from forge.cli import mail_in_admin

    @contextlib.contextmanager
    def this_forge(*args, **kw):
        yield SimpleNamespace(registry=registry, settings=registry.settings)
    monkeypatch.setattr(mail_in_admin, "running_forge", this_forge)
    runner = CliRunner()

    def invoke(*args, input=None):
        session.close()
        try:
            return runner.invoke(main, ["admin", *args], input=input)
        finally:
            session.close()
    return invoke


def deliver(registry, sender, to, text="A comment.", subject="Re: Guide", message_id=None,
            attachments=()):
    """Apply a message (with a Message-ID) to ``to``; returns its Outcome and bytes."""
    message = new_mail(sender, to, subject, text, attachments)
    message["Message-ID"] = message_id or make_msgid(domain="example.test")
    raw = message.as_bytes()
    outcome, = apply_message(registry, raw, sender, [to])
    session.close()
    return outcome, raw


def refused(result, words):
    assert result.exit_code == 1, result.output
    assert words in result.stderr, result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        result.exception
    return result


def ok(result):
    assert result.exit_code == 0, (result.output, result.stderr, result.exception)
    return result


__all__ = ["DOMAIN", "deliver", "forge_admin", "ok", "refused"]
