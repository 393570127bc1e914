"""Notification mail sent by ``forge worker`` (a separate OS process) on the
real RabbitMQ and the embedded database, to a real SMTP server (aiosmtpd in
this test process): each-change mail to watchers, nothing about a private
ticket to an outsider, the daily digest from the worker's periodic thread,
and ``forge admin send-digests`` afterwards sending nothing for the period.

The reactors' queues have fixed names on the shared broker: the test empties
them first and deletes them at the end (``tests/integration/sites.py``).
"""
import time

import pytest

from forge.model.session import session
from forge.testing import SmtpSink

from .sites import WorkerSite

pytestmark = pytest.mark.integration

PASSWORD = "mail on rabbit 1"


class MailSite(WorkerSite):
    def __init__(self, mongo_url, tmp_path, smtp):
        super().__init__(mongo_url, tmp_path, "mail",
                         {"forge.mail.host": smtp.host, "forge.mail.port": str(smtp.port)},
                         worker_env={"FORGE_MAIL_DIGEST_INTERVAL": "1"})
        self.smtp = smtp

    def wait_for_mail(self, what, predicate):
        return self.wait_for(what, lambda: [m for m in self.smtp.messages if predicate(m)])


@pytest.fixture
def smtp():
    server = SmtpSink().start()
    yield server
    server.stop()


@pytest.fixture
def site(mongo_url, tmp_path, smtp):
    with MailSite(mongo_url, tmp_path, smtp) as built:
        yield built


def test_the_worker_mails_watchers_and_digests(site, smtp, run_forge):
    from forge.actions.roles import add_member, role_named
    from forge.actions.users import create_user
    from forge.notifications.watches import set_frequency, set_watch
    from tools.tracker.actions import create_ticket
    registry = site.registry
    ada, project, (tool,) = site.create_demo_project(PASSWORD, ("tracker", "tickets"))
    dev = create_user(registry, "dev", "dev@example.test", PASSWORD)
    add_member(registry, project, role_named(project, "Developer"), dev, ada)
    out = create_user(registry, "out", "out@example.test", PASSWORD)
    daily = create_user(registry, "daily", "daily@example.test", PASSWORD)
    for user in (dev, out, daily):
        set_watch(registry, "tool", tool, user)
    set_frequency(registry, daily, "digest")
    session.close()
    worker = site.start_worker()

    create_ticket(registry, project, tool, {"title": "Public crash", "description": "boom"},
                  ada)
    create_ticket(registry, project, tool, {"title": "Secret hole", "description": "hush"},
                  ada, private=True)
    session.close()

    # each change: dev reads both tickets, out only the public one
    site.wait_for_mail("dev's mail of the private ticket", lambda m: "dev@example.test"
                       in m.envelope_to and "Secret hole" in m["Subject"])
    site.wait_for_mail("out's mail of the public ticket", lambda m: "out@example.test"
                       in m.envelope_to and "Public crash" in m["Subject"])
    # the digest from the worker's thread (it checks every second here)
    digest = site.wait_for_mail("daily's digest", lambda m: "daily@example.test"
                                in m.envelope_to)[0]
    assert digest["Subject"].startswith("Your daily digest")
    # folded before the <URL> when long (never RFC 2047-encoded): unfold to read it
    assert digest["List-Unsubscribe"].strip().startswith("<http://127.0.0.1:6543/@@unsubscribe?")
    time.sleep(2)        # more digest checks pass: still one digest this period
    to_out = [m for m in smtp.messages if "out@example.test" in m.envelope_to]
    assert to_out and not [m for m in to_out if "Secret" in m["Subject"]
                           or "hush" in m.get_body(("plain",)).get_content()]
    assert len([m for m in smtp.messages if "daily@example.test" in m.envelope_to]) == 1
    assert "Secret" not in digest.get_body(("plain",)).get_content()

    # the command finds this period done
    result = run_forge("admin", "send-digests", "--data-dir", site.tmp_path / "cli-data",
                       env=site.env)
    assert result.returncode == 0, result.stderr
    assert "Sent 0 digests" in result.stdout
    assert "Traceback" not in worker.text()
