"""What one new artifact by mail costs the database: its writes move the
generations once (``one_bump``), and the tool's address is read through the
tree cache, so ``RCPT TO`` and ``DATA`` of the same address read the
neighborhood, the project and its tools at most once between them.  The same
messages as before: only a live project reached at its own path, and only a
tool mounted there, takes mail."""
import smtplib

import pytest

from forge.actions.project_moves import move_project
from forge.actions.projects import install_tool
from forge.mail_in.addresses import parse_address
from forge.mail_in.receive import principals_of, verified_sender
from forge.mail_in.recipients import OK, check_recipient, message_unit, tool_target
from forge.model import Project, session
from forge.model.cache import current_generations
from forge.model.session import collection
from forge.testing import count_queries

from .conftest import DOMAIN, new_mail, send
from .test_tickets import TICKETS, forge_settings, tickets  # noqa: F401

TRACKER = "tickets.demo@" + DOMAIN




def ticket_titles(tool):
    from tools.tracker.model import Ticket
    session.close()
    return [t.title for t in Ticket.query.find({"tool_id": tool._id}).sort("number")]


def test_a_new_ticket_by_mail_bumps_the_generations_once(registry, site, tickets, login,
                                                         mail_in):
    """The number, the ticket, its first version, its reporter's watch: one
    bump (were four), made after them all; an anonymous page kept before
    the mail shows the ticket after it."""
    assert "Crash on save" not in login().get(TICKETS).text       # kept for anonymous
    for number, subject in enumerate(("Crash on save", "Crash on load"), start=1):
        before = current_generations(session.db)
        send(mail_in, new_mail("mem@example.test", TRACKER, subject, "It crashes."),
             [TRACKER], sender="mem@example.test")
        session.close()
        after = current_generations(session.db)
        assert after[1] == before[1] + 1, "the content generation moved %d times" % (
            after[1] - before[1])
        assert after[0] - before[0] <= 1
    assert ticket_titles(tickets) == ["Crash on save", "Crash on load"]
    page = login().get(TICKETS).text
    assert "Crash on save" in page and "Crash on load" in page


def test_a_tool_address_is_read_through_the_tree_cache(registry, site, tickets):
    """``RCPT TO`` reads the neighborhood, the project's family and its tools
    once (the root's site document besides); again, at the same generations,
    only the site document (were three finds outside the cache each time)."""
    session.close()
    with count_queries() as cold:
        assert check_recipient(registry, TRACKER, "mem@example.test") == OK
    with count_queries() as warm:
        assert check_recipient(registry, TRACKER, "mem@example.test") == OK
    assert len(cold) <= 4 and len(warm) == 1


def test_data_finds_the_tool_and_sender_where_rcpt_left_them(registry, site, tickets):
    """What ``DATA`` reads before it writes (the tool, the verified sender
    and their roles) comes from what ``RCPT TO`` and earlier messages read."""
    target = parse_address(registry.settings, TRACKER)
    with message_unit(registry) as request:
        principals_of(request, verified_sender(request, mail_from("mem@example.test")))
        tool_target(request, target)
    with count_queries() as reads:
        with message_unit(registry) as request:
            tool = tool_target(request, target)
            user = verified_sender(request, mail_from("mem@example.test"))
            principals_of(request, user)
    assert tool.doc._id == tickets._id
    assert len(reads) == 1                      # the root's site document


def mail_from(address):
    class Mail:
        sender = address
    return Mail()


def refused_at_rcpt(mail_in, address, sender="ada@example.test"):
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        send(mail_in, new_mail(sender, address, "Hi", "Text"), [address], sender=sender)
    return refused.value.recipients[address][0]


def test_a_subprojects_tool_takes_mail_at_its_dotted_address(registry, site, make_project,
                                                             login, mail_in):
    sub = make_project("sub", site["ada"], parent=site["project"])
    install_tool(registry, sub, "tracker", "bugs", site["ada"])
    session.close()
    address = "bugs.demo.sub@" + DOMAIN
    send(mail_in, new_mail("ada@example.test", address, "Sub crash", "Text"), [address],
         sender="ada@example.test")
    assert "Sub crash" in login().get("/p/demo/sub/bugs/").text
    # the subproject is not a tool of demo, nor is the tool a project
    assert refused_at_rcpt(mail_in, "sub.demo@" + DOMAIN) == 550
    assert refused_at_rcpt(mail_in, "bugs.demo@" + DOMAIN) == 550


def test_a_deleted_or_renamed_projects_tool_takes_no_mail(registry, site, tickets, mail_in):
    project = site["project"]
    session.close()
    move_project(registry, Project.query.get(_id=project._id), None, "renamed", site["ada"])
    session.close()
    assert refused_at_rcpt(mail_in, TRACKER) == 550               # the old name
    renamed = "tickets.renamed@" + DOMAIN
    send(mail_in, new_mail("ada@example.test", renamed, "Still here", "Text"), [renamed],
         sender="ada@example.test")
    assert ticket_titles(tickets) == ["Still here"]
    collection(Project).update_one({"_id": project._id}, {"$set": {"deleted": True}})
    assert refused_at_rcpt(mail_in, renamed) == 550


def test_a_new_thread_by_mail_bumps_the_generations_once(registry, site, login, mail_in):
    """The discussion's own handler (a thread and its opening post) too."""
    forums = "forums.demo@" + DOMAIN
    before = current_generations(session.db)
    send(mail_in, new_mail("mem@example.test", forums, "Build fails", "On ARM."), [forums],
         sender="mem@example.test")
    session.close()
    after = current_generations(session.db)
    assert after[1] == before[1] + 1 and after[0] == before[0]
    assert "Build fails" in login().get("/p/demo/forums/general/").text
