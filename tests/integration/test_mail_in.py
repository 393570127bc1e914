"""Mail in as it runs in production: ``forge mail-in`` in its own process on
the real database, ``forge worker`` on RabbitMQ mailing a real SMTP sink, and
replies sent with ``smtplib`` to the Reply-To the worker's mail carries.
Also ``forge serve`` running the mail server beside the web server."""
import os
import queue
import signal
import smtplib
import subprocess
import threading
import time
from email.message import EmailMessage

import pytest

from forge.model.session import session
from forge.testing import SmtpSink

from .conftest import FORGE, forge_env, free_port
from .sites import WorkerSite
from .bus_parts import ROOT

pytestmark = pytest.mark.integration

DOMAIN = "mail.example.test"
PASSWORD = "mail in on rabbit 1"


class MailInProcess:
    """``forge mail-in`` in its own process group, ready once it listens."""

    def __init__(self, data_dir, env, port, args=()):
        self.port = port
        self.process = subprocess.Popen(
            [FORGE, "mail-in", "--data-dir", str(data_dir), "--listen", "127.0.0.1:%d" % port,
             *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
            start_new_session=True, cwd=ROOT)
        self.lines, self.output = queue.Queue(), []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def wait_until_listening(self, timeout=90):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                continue
            if line is None:
                raise AssertionError("forge mail-in exited:\n" + "".join(self.output))
            self.output.append(line)
            if line.startswith("Mail in:"):
                return self
        raise AssertionError("forge mail-in did not start:\n" + "".join(self.output))

    def kill(self):
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.process.wait(30)


@pytest.fixture
def smtp():
    server = SmtpSink().start()
    yield server
    server.stop()


@pytest.fixture
def site(mongo_url, tmp_path, smtp):
    settings = {"forge.mail.host": smtp.host, "forge.mail.port": str(smtp.port),
                "forge.mail_in.domain": DOMAIN, "forge.tools": "tests.mail_in.fixture_handlers",
                # reply tokens are signed: every process of the forge shares the secret
                "forge.secret": "mail-in-integration-secret"}
    with WorkerSite(mongo_url, tmp_path, "mailin", settings) as built:
        yield built


@pytest.fixture
def mail_in(site, tmp_path):
    process = MailInProcess(tmp_path / "mail-in-data", site.env, free_port())
    yield process.wait_until_listening()
    process.kill()


def message(sender, to, subject, text):
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = sender, to, subject
    mail.set_content(text)
    return mail


def test_replies_and_new_threads_through_the_mail_in_process(site, smtp, mail_in):
    from forge.actions.roles import add_member, role_named
    from forge.actions.users import create_user
    from forge.discussion.actions import add_post
    from forge.notifications.watches import add_watch
    from tools.discussion.actions import create_forum, create_thread
    from tools.discussion.model import ForumThread
    registry = site.registry
    ada, project, (forums,) = site.create_demo_project(PASSWORD, ("discussion", "forums"))
    mem = create_user(registry, "mem", "mem@example.test", PASSWORD)
    dev = create_user(registry, "dev", "dev@example.test", PASSWORD)
    for user, role in ((mem, "Member"), (dev, "Developer")):
        add_member(registry, project, role_named(project, role), user, ada)
    create_forum(registry, project, forums, "general", "General", "", ada)
    from pyramid.traversal import find_resource
    from forge.notifications.messages import mail_request
    with mail_request(registry) as request:
        forum = find_resource(request.root, "/p/demo/forums/general")
        thread, _ = create_thread(registry, forum, "Release plans", "When?", ada,
                                  may_skip_moderation=True)
    add_watch(mem._id, "artifact", thread.doc)
    site.start_worker()
    add_post(registry, thread, "Next month.", dev, may_skip_moderation=True)

    [to_mem] = site.wait_for("mail to mem", lambda: smtp.to("mem@example.test"))
    reply_to = to_mem["Reply-To"]
    assert reply_to.startswith("reply+") and reply_to.endswith("@" + DOMAIN)
    smtp.clear()
    reply = message("mem@example.test", reply_to, "Re: " + to_mem["Subject"],
                    "I will test the RC.\n\nOn Tue, PyForge wrote:\n> Next month.\n")
    reply["In-Reply-To"] = to_mem["Message-ID"]
    with smtplib.SMTP("127.0.0.1", mail_in.port, timeout=60) as client:
        assert client.send_message(reply, to_addrs=[reply_to]) == {}
    posts = site.wait_for("mem's comment", lambda: list(session.db["post"].find(
        {"ref_id": thread.doc._id, "author_id": mem._id})))
    assert posts[0]["text"] == "I will test the RC."
    # ada may also get dev's comment, after the clear: whether she watched the
    # thread before it depends on when the worker made its author watch it
    site.wait_for("mem's comment mailed to ada", lambda: [
        m for m in smtp.to("ada@example.test")
        if "I will test the RC." in m.get_body(("plain",)).get_content()])
    time.sleep(2)                     # whatever else the worker sends has come by now
    assert smtp.to("mem@example.test") == []         # not told of her own comment

    # a new thread by mail, to the tool's address, from a verified address
    address = "forums.demo@" + DOMAIN
    with smtplib.SMTP("127.0.0.1", mail_in.port, timeout=60) as client:
        client.send_message(message("Dev <dev@example.test>", address, "Nightly builds",
                                    "Shall we publish them?"), to_addrs=[address])
    session.close()
    [new] = list(ForumThread.query.find({"tool_id": forums._id, "title": "Nightly builds"}))
    assert new.author_id == dev._id
    assert session.db["post"].find_one({"ref_id": new._id})["text"] == "Shall we publish them?"

    mail_in.process.send_signal(signal.SIGTERM)
    assert mail_in.process.wait(30) == 0


def test_forge_serve_runs_the_mail_server_when_listen_is_set(tmp_path, forge_serve):
    port = free_port()
    server = forge_serve(tmp_path / "data", args=("--no-demo",), env=forge_env(
        FORGE_MAIL_IN_DOMAIN=DOMAIN, FORGE_MAIL_IN_LISTEN="127.0.0.1:%d" % port))
    assert "Mail in: SMTP on 127.0.0.1:%d" % port in server.output()
    with smtplib.SMTP("127.0.0.1", port, timeout=60) as client:
        client.ehlo()
        client.mail("someone@example.test")
        code, text = client.rcpt("nobody@" + DOMAIN)
    assert code == 550 and b"No such address" in text
    code, _seconds = server.stop()
    assert code == 0


def test_forge_mail_in_says_what_is_wrong(tmp_path, run_forge):
    data_dir = str(tmp_path / "data")
    done = run_forge("mail-in", "--data-dir", data_dir, "--db-port", free_port(),
                     "--listen", "127.0.0.1:%d" % free_port())
    assert done.returncode == 1 and "forge.mail_in.domain is not set" in done.stderr
    with_domain = forge_env(FORGE_MAIL_IN_DOMAIN=DOMAIN)
    done = run_forge("mail-in", "--data-dir", data_dir, "--db-port", free_port(),
                     "--listen", "nowhere", env=with_domain)
    assert done.returncode == 1 and "must be host:port" in done.stderr
    import socket
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        done = run_forge("mail-in", "--data-dir", data_dir, "--db-port", free_port(),
                         "--listen", "127.0.0.1:%d" % busy.getsockname()[1], env=with_domain)
    assert done.returncode == 1 and "Cannot listen on" in done.stderr
    assert "Traceback" not in done.stderr
