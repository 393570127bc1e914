"""Notification mail sent by ``forge worker`` (a separate OS process) on the
real RabbitMQ and the embedded database, to a real SMTP server (aiosmtpd in
this test process): each-change mail to watchers, nothing about a private
ticket to an outsider, the daily digest from the worker's periodic thread,
and ``forge admin send-digests`` afterwards sending nothing for the period.

The reactors' queues have fixed names on the shared broker: the test empties
them first and deletes them at the end (as test_tools_on_rabbitmq does).
"""
import os
import time
import uuid

import pytest

from forge.model.session import session
from forge.testing import SmtpSink

from .conftest import forge_env
from .test_bus_rabbitmq import RABBITMQ, ROOT, WorkerProcess
from .test_tools_on_rabbitmq import delete_queues, empty_queues, reactor_queues

pytestmark = pytest.mark.integration

WAIT = 180
PASSWORD = "mail on rabbit 1"


class MailSite:
    def __init__(self, mongo_url, tmp_path, smtp):
        from forge import main
        self.database = "forge_mail_%s" % uuid.uuid4().hex[:10]
        self.tmp_path = tmp_path
        self.smtp = smtp
        mail = {"forge.mail.host": smtp.host, "forge.mail.port": str(smtp.port)}
        self.env = forge_env(FORGE_MONGODB_URL=mongo_url, MING_MAIN_DATABASE=self.database,
                             FORGE_BUS_URL=RABBITMQ, FORGE_MAIL_HOST=smtp.host,
                             FORGE_MAIL_PORT=str(smtp.port),
                             FORGE_MAIL_DIGEST_INTERVAL="1",
                             PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
        self.app = main({}, **dict(mail, **{
            "ming.main.uri": mongo_url, "ming.main.database": self.database,
            "forge.secret": "mail-test", "forge.bus.url": RABBITMQ,
            "forge.bus.relay": "thread", "forge.password.time_cost": "1",
            "forge.password.memory_kib": "1024", "forge.password.parallelism": "1"}))
        self.registry = self.app.registry
        self.queues = reactor_queues(self.registry)
        empty_queues(self.queues)
        self.worker = None

    def start_worker(self):
        self.worker = WorkerProcess(self.tmp_path / "worker-data", self.env)
        return self.worker.wait_until_running()

    def wait_for_mail(self, what, predicate, timeout=WAIT):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [m for m in self.smtp.messages if predicate(m)]
            if found:
                return found
            time.sleep(0.2)
        raise AssertionError("timed out waiting for %s; worker output:\n%s" % (
            what, self.worker.text() if self.worker else ""))

    def close(self):
        if self.worker is not None:
            self.worker.kill()
        self.registry.forge_relay.stop()
        delete_queues(self.queues)
        session.close()
        session.db.client.drop_database(self.database)


@pytest.fixture
def smtp():
    server = SmtpSink().start()
    yield server
    server.stop()


@pytest.fixture
def site(mongo_url, tmp_path, smtp):
    built = MailSite(mongo_url, tmp_path, smtp)
    try:
        yield built
    finally:
        built.close()


def test_the_worker_mails_watchers_and_digests(site, smtp, run_forge):
    from forge.actions.projects import create_project, install_tool
    from forge.actions.roles import add_member, role_named
    from forge.actions.users import create_user
    from forge.model import Neighborhood
    from forge.notifications.watches import set_frequency, set_watch
    from tools.tracker.actions import create_ticket
    registry = site.registry
    ada = create_user(registry, "ada", "ada@example.test", PASSWORD)
    project = create_project(registry, Neighborhood.query.get(name="p"), "demo", "Demo", ada)
    tool = install_tool(registry, project, "tracker", "tickets", ada)
    dev = create_user(registry, "dev", "dev@example.test", PASSWORD)
    add_member(registry, project, role_named(project, "Developer"), dev, ada)
    out = create_user(registry, "out", "out@example.test", PASSWORD)
    daily = create_user(registry, "daily", "daily@example.test", PASSWORD)
    for user in (dev, out, daily):
        set_watch(registry, "tool", tool, user)
    set_frequency(registry, daily, "digest")
    session.close()
    site.start_worker()

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
    assert digest["List-Unsubscribe"].startswith("<http://127.0.0.1:6543/@@unsubscribe?")
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
    assert "Traceback" not in site.worker.text()
