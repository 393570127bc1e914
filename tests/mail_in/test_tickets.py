"""The issue's story on the tracker: a ticket change mails a watcher, who
replies by mail; the reply is a comment on the ticket by that user, the other
watchers are mailed, the replier is not, and nothing loops."""
import pytest

from forge.actions.projects import install_tool
from forge.discussion.model import Post
from forge.model import session
from forge.model.session import collection

from .conftest import body, mail_in_settings, send
from .test_replies import reply_to

TICKETS = "/p/demo/tickets/"


@pytest.fixture
def forge_settings(smtp_server):
    return mail_in_settings(smtp_server, **{
        "forge.tools": "tools.tracker tools.notes tools.discussion tools.wiki "
                       "tests.mail_in.fixture_handlers"})


@pytest.fixture
def tickets(registry, site):
    tool = install_tool(registry, site["project"], "tracker", "tickets", site["ada"])
    session.close()
    return tool


def new_ticket(browser, title, description=""):
    response = browser.post_form(TICKETS + "@@new", {"title": title,
                                                      "description": description}, status=302)
    return int(response.location.rstrip("/").rsplit("/", 1)[-1])


def test_a_reply_to_ticket_mail_is_a_comment(registry, site, tickets, login, mail, mail_in):
    from tools.tracker.model import Ticket
    number = new_ticket(login("mem"), "Crash on start", "It crashes.")
    login("dev").post_form(TICKETS + "%d/@@watch" % number, {}, status=302)
    mail()
    login("dev").post_form(TICKETS + "%d/@@post" % number, {"text": "Which version?"},
                           status=302)
    to_mem = mail()["mem@example.test"][0]
    assert to_mem["Reply-To"].startswith("reply+")
    send(mail_in, reply_to(to_mem, "Version 2.0.1, on Linux.", "mem@example.test"),
         [to_mem["Reply-To"]])
    session.close()
    ticket = Ticket.query.get(tool_id=tickets._id, number=number)
    texts = [(p["author_id"], p["text"]) for p in collection(Post).find({"ref_id": ticket._id})]
    assert (site["mem"]._id, "Version 2.0.1, on Linux.") in texts
    assert "Version 2.0.1, on Linux." in login().get(TICKETS + "%d/" % number).text
    sent = mail()
    assert list(sent) == ["dev@example.test"]
    assert "Version 2.0.1" in body(sent["dev@example.test"][0])
    assert mail() == {}


def test_a_new_ticket_by_mail(registry, site, tickets, login, mail, mail_in):
    """``tickets.demo@``: the generic handler on the tracker's declared type:
    the subject is the title, the text the description, the number the next."""
    from email.message import EmailMessage
    from tools.tracker.model import Ticket
    new_ticket(login("mem"), "First")
    login("dev").post_form(TICKETS + "@@watch", {}, status=302)
    mail()
    message = EmailMessage()
    message["From"], message["Subject"] = "Mem <mem@example.test>", "Crash when saving"
    address = "tickets.demo@mail.example.test"
    message["To"] = address
    message.set_content("Steps:\n\n1. open\n2. save\n\n-- \nmem")
    send(mail_in, message, [address], sender="mem@example.test")
    session.close()
    ticket = Ticket.query.get(tool_id=tickets._id, number=2)
    assert ticket.title == "Crash when saving" and ticket.author_id == site["mem"]._id
    assert ticket.description == "Steps:\n\n1. open\n2. save"
    assert "Crash when saving" in login().get(TICKETS + "2/").text
    sent = mail()
    assert list(sent) == ["dev@example.test"]
    assert sent["dev@example.test"][0]["Reply-To"].startswith("reply+")
