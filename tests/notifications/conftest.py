"""Fixtures of the notification tests: a forge that mails a real SMTP server
on 127.0.0.1 (``forge.testing.smtp_server``), a public project with a tracker
and a wiki, and people in several roles."""
import re

import pytest
from ming import mim

from forge.actions.projects import install_tool
from forge.actions.roles import add_member, role_named
from forge.model import session
from forge.testing import forge_test_settings, smtp_settings

TICKETS = "/p/demo/tickets/"
WIKI = "/p/demo/wiki/"


@pytest.fixture
def forge_settings(smtp_server):
    # a failed send is retried by the bus after 50 ms, so run_reactors waits for it
    return forge_test_settings(**smtp_settings(smtp_server),
                               **{"forge.bus.retry_base_seconds": "0.05",
                                  "forge.bus.retry_max_seconds": "0.1"})


@pytest.fixture
def site(registry, make_user, make_project):
    """ada admins demo (tracker at tickets/, wiki at wiki/); dev is a
    Developer, mem a Member, out has no role."""
    ada = make_user("ada")
    project = make_project("demo", ada)
    people = {"ada": ada, "project": project}
    for name, role in (("dev", "Developer"), ("mem", "Member")):
        people[name] = make_user(name)
        add_member(registry, project, role_named(project, role), people[name], ada)
    people["out"] = make_user("out")
    people["tickets"] = install_tool(registry, project, "tracker", "tickets", ada)
    people["wiki"] = install_tool(registry, project, "wiki", "wiki", ada)
    session.close()
    return people


@pytest.fixture
def login(browser_for):
    return browser_for


@pytest.fixture
def mail(delivered_mail):
    """``mail()``: run the reactors, then {address: [messages]} that arrived since."""
    return delivered_mail


@pytest.fixture
def finds_on(monkeypatch):
    """The collections read (``find``) on mim:// from now on, in order."""
    names = []
    real = mim.Collection.find

    def counting(self, *args, **kw):
        names.append(self.name)
        return real(self, *args, **kw)
    monkeypatch.setattr(mim.Collection, "find", counting)
    return names


def new_ticket(browser, title, description="", private=False):
    fields = {"title": title, "description": description}
    if private:
        fields["private"] = "on"
    response = browser.post_form(TICKETS + "@@new", fields, status=302)
    return int(response.location.rstrip("/").rsplit("/", 1)[-1])


def edit_ticket(browser, number, **changes):
    form = browser.get(TICKETS + "%d/@@edit" % number).forms["ticket-form"]
    fields = {k: v for k, v in form.submit_fields() if k != "csrf_token"}
    fields.update(changes)
    return browser.post_form(TICKETS + "%d/@@edit" % number, fields, status=302)


def body(message):
    return message.get_body(("plain",)).get_content()


def unsubscribe_link(message):
    return re.fullmatch(r"\s*<(.*)>", message["List-Unsubscribe"]).group(1)
