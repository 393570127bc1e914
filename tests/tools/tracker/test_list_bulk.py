"""Bulk edit from the ticket list: one version and one event per ticket,
``update`` checked per ticket, refused tickets reported."""
from forge.model import OutboxEvent, Snapshot, ToolInstance, session
from forge.model.session import set_fields
from tools.tracker.actions import create_ticket
from tools.tracker.admin_actions import add_milestone
from tools.tracker.model import Ticket

from .conftest import TOOL


def stored(site, number):
    session.close()
    return Ticket.query.get(tool_id=site["tool"]._id, number=number)


def make(registry, site, count=3, actor="mem", **fields):
    for n in range(count):
        create_ticket(registry, site["project"], site["tool"],
                      dict(title="Ticket %d" % n, description="", labels=["old"], **fields),
                      site[actor])
    session.close()


def events(topic):
    session.close()
    return OutboxEvent.query.find({"topic": topic}).all()


def test_bulk_edit_is_one_version_and_one_event_per_ticket(registry, login, site):
    add_milestone(registry, ToolInstance.query.get(_id=site["tool"]._id), "1.0", "", "",
                  site["ada"])
    make(registry, site)
    dev = login("dev")
    page = dev.get(TOOL)
    assert 'id="bulk-form"' in page.text and 'aria-label="Select #1"' in page.text
    before = len(events("tracker.ticket.updated"))
    response = dev.post_form(TOOL + "@@bulk", {
        "ticket": ["1", "3"], "status": "accepted", "milestone": "1.0",
        "assigned_to": "dev", "priority": "high", "add_labels": "ui, new",
        "remove_labels": "old", "q": "is:open", "comment": "triage"}, status=302)
    assert "q=is%3Aopen" in response.location
    assert "Changed #1, #3." in response.follow().text
    for number in (1, 3):
        doc = stored(site, number)
        assert (doc.status, doc.milestone, doc.priority, doc.version) == (
            "accepted", "1.0", "high", 2)
        assert doc.assigned_to_id == site["dev"]._id
        assert list(doc.labels) == ["ui", "new"]
        snapshot = Snapshot.query.get(artifact_id=doc._id, version=2)
        assert snapshot.comment == "triage"
    assert stored(site, 2).version == 1
    updated = events("tracker.ticket.updated")
    assert len(updated) - before == 2
    assert sorted(e.message["path"] for e in updated[before:]) == ["1", "3"]
    # closing through bulk edit keeps the closed flag in sync
    dev.post_form(TOOL + "@@bulk", {"ticket": ["2"], "status": "invalid"}, status=302)
    assert stored(site, 2).closed is True
    # unassign and clear the milestone with "-"
    dev.post_form(TOOL + "@@bulk", {"ticket": ["1"], "assigned_to": "-", "milestone": "-"},
                  status=302)
    assert (stored(site, 1).assigned_to_id, stored(site, 1).milestone) == (None, "")


def test_bulk_edit_checks_update_per_ticket_and_reports_refusals(registry, login, site):
    make(registry, site, count=2)
    # members may not update tickets by default; give mem update on ticket 2 only
    ticket = Ticket.query.get(tool_id=site["tool"]._id, number=2)
    set_fields(ticket, acl=[{"access": "allow", "principal": "user:%s" % site["mem"]._id,
                             "permission": "update"}])
    session.close()
    mem = login("mem")
    page = mem.post_form(TOOL + "@@bulk", {"ticket": ["1", "2", "99"], "priority": "low"},
                         status=200)
    assert 'id="bulk-result"' in page.text
    assert "#1: you may not change it" in page.text
    assert "#99: no such ticket" in page.text
    assert "Changed #2." in page.text
    assert stored(site, 1).priority == "normal" and stored(site, 1).version == 1
    assert stored(site, 2).priority == "low"


def test_bulk_edit_of_a_private_ticket_by_an_outsider_reveals_nothing(registry, login, site):
    create_ticket(registry, site["project"], site["tool"],
                  dict(title="Secret", description=""), site["mem2"], private=True)
    session.close()
    page = login("mem").post_form(TOOL + "@@bulk", {"ticket": ["1"], "priority": "low"})
    assert "#1: no such ticket" in page.text and "Secret" not in page.text
    assert stored(site, 1).priority == "normal"


def test_bulk_edit_bad_input_is_400(registry, login, site):
    make(registry, site, count=1)
    dev = login("dev")
    cases = [({"ticket": ["1"]}, "Choose at least one change"),
             ({"status": "accepted"}, "Select at least one ticket"),
             ({"ticket": ["x"], "status": "accepted"}, "not a list of ticket numbers"),
             ({"ticket": ["1"], "status": "bogus"}, "The status must be one of"),
             ({"ticket": ["1"], "priority": "urgent"}, "The priority must be one of"),
             ({"ticket": ["1"], "milestone": "9.9"}, "no milestone named"),
             ({"ticket": ["1"], "assigned_to": "zed"}, "no user named")]
    for fields, message in cases:
        page = dev.post_form(TOOL + "@@bulk", fields, status=400)
        assert message in page.text, message
    assert stored(site, 1).version == 1
    # anonymous: no form, and a post is refused
    anon = login()
    assert 'id="bulk-form"' not in anon.get(TOOL).text
    anon.post_form(TOOL + "@@bulk", {"ticket": ["1"], "priority": "low"}, status=403)
