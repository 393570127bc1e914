"""Fixtures of the mail-in tests: a forge that mails a real SMTP sink and
receives on its own real mail-in server (aiosmtpd on 127.0.0.1), a public
project ``demo`` with notes, a discussion and a wiki, and people in several
roles.  The tracker is left out while it moves onto artifact types."""
import smtplib
from email.message import EmailMessage

import pytest
from pyramid.traversal import find_resource

from forge.actions.projects import install_tool
from forge.actions.roles import add_member, role_named
from forge.mail_in.server import MailInServer
from forge.model import session
from forge.notifications.messages import mail_request
from forge.testing import forge_test_settings, free_port, smtp_settings

DOMAIN = "mail.example.test"
TOOLS = "tools.notes tools.discussion tools.wiki tests.mail_in.fixture_handlers"


def mail_in_settings(smtp_server, **overrides):
    return forge_test_settings(**smtp_settings(smtp_server), **{
        "forge.load_tool_entry_points": "false", "forge.tools": TOOLS,
        "forge.mail_in.domain": DOMAIN, "forge.mail_in.listen": "127.0.0.1:%d" % free_port(),
        "forge.bus.retry_base_seconds": "0.05", "forge.bus.retry_max_seconds": "0.1",
        **overrides})


@pytest.fixture
def forge_settings(smtp_server):
    return mail_in_settings(smtp_server)


@pytest.fixture
def mail_in(registry):
    """The forge's mail-in server, listening for this test."""
    server = MailInServer(registry).start()
    yield server
    server.stop()


@pytest.fixture
def site(registry, make_user, make_project):
    """ada admins demo (notes/, forums/ with a "general" forum, wiki/); mem is
    a Member, dev a Developer; out has no role."""
    from tools.discussion.actions import create_forum
    ada = make_user("ada")
    project = make_project("demo", ada)
    people = {"ada": ada, "project": project}
    for name, role in (("dev", "Developer"), ("mem", "Member")):
        people[name] = make_user(name)
        add_member(registry, project, role_named(project, role), people[name], ada)
    people["out"] = make_user("out")
    people["notes"] = install_tool(registry, project, "notes", "notes", ada)
    people["forums"] = install_tool(registry, project, "discussion", "forums", ada)
    people["wiki"] = install_tool(registry, project, "wiki", "wiki", ada)
    create_forum(registry, project, people["forums"], "general", "General", "", ada)
    session.close()
    return people


@pytest.fixture
def login(browser_for):
    return browser_for


@pytest.fixture
def mail(delivered_mail):
    """``mail()``: run the reactors, then {address: [messages]} that arrived since."""
    return delivered_mail


def node_at(registry, path):
    """The resource at ``path`` (a fresh session, as after a request)."""
    session.close()
    with mail_request(registry) as request:
        return find_resource(request.root, path)


def new_mail(sender, to, subject, text, attachments=()):
    """A plain message (``attachments``: (filename, data, maintype, subtype))."""
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, to, subject
    message.set_content(text)
    for filename, data, maintype, subtype in attachments:
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return message


def send(server, raw, to, sender="someone@example.test", lmtp=False):
    """Send ``raw`` (bytes or an EmailMessage) over real SMTP (or LMTP);
    returns smtplib's refusals {recipient: (code, text)} or raises."""
    host, port = server.address
    client = smtplib.LMTP(host, port) if lmtp else smtplib.SMTP(host, port, timeout=30)
    with client:
        if hasattr(raw, "as_bytes"):
            return client.send_message(raw, from_addr=sender, to_addrs=to)
        return client.sendmail(sender, to, raw)


def body(message):
    return message.get_body(("plain",)).get_content()
