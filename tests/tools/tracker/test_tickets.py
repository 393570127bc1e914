"""Tickets: create and validate, edit and the timeline, 409s, close/reopen,
privacy, watching, custom fields, and the XSS corpus."""
import re

import pytest

from forge.model import OutboxEvent, Snapshot, session
from forge.notifications.watches import watcher_ids
from forge.testing import XSS_CORPUS, assert_inert
from tools.tracker.model import Ticket

from .conftest import TOOL


def stored(site, number):
    session.close()
    return Ticket.query.get(tool_id=site["tool"]._id, number=number)


def create(b, title, expect=302, **fields):
    return b.post_form(TOOL + "@@new", dict(fields, title=title), status=expect)


def edit(b, number, version, expect=302, **fields):
    return b.post_form(TOOL + "%d/@@edit" % number, dict(fields, version=str(version)),
                       status=expect)


def edit_fields(b, number):
    """The edit form's current values, to change some and post the rest back."""
    form = b.get(TOOL + "%d/@@edit" % number).forms["ticket-form"]
    return {k: v for k, v in form.submit_fields() if k != "csrf_token"}


# -- creating --------------------------------------------------------------------

def test_new_ticket_form_and_create(login, site):
    mem = login("mem")
    page = mem.get(TOOL + "@@new")
    assert 'name="custom.severity"' in page.text and 'for="ticket-title"' in page.text
    response = create(mem, "Crash on start", description="It *crashes*.", labels="ui, bug",
                      **{"custom.severity": "major", "custom.estimate": "3", "priority": "high",
                         "status": "open", "assigned_to": "dev"})
    assert response.location == "http://localhost/p/demo/tickets/1/"
    ticket = stored(site, 1)
    assert (ticket.path, ticket.title, ticket.status, ticket.closed) == (
        "1", "Crash on start", "open", False)
    assert ticket.reporter_id == site["mem"]._id == ticket.author_id
    assert ticket.assigned_to_id == site["dev"]._id
    assert dict(ticket.custom) == {"severity": "major", "estimate": 3}
    assert list(ticket.labels) == ["ui", "bug"] and ticket.priority == "high"
    assert watcher_ids(ticket._id) == [site["mem"]._id]       # the reporter watches
    page = mem.get(TOOL + "1/")
    assert "<em>crashes</em>" in page.text and "Crash on start" in page.text
    assert ">major<" in page.text and ">dev<" in page.text
    create(mem, "Second")
    assert stored(site, 2).path == "2"
    event = OutboxEvent.query.find({"topic": "tracker.ticket.created"}).sort("seq", 1).first()
    assert event is not None and event.message["path"] == "1"


@pytest.mark.parametrize("fields,field,message", [
    ({"title": ""}, "title", "required"),
    ({"title": "x", "status": "nonsense"}, "status", "The status must be one of"),
    ({"title": "x", "priority": "urgent!"}, "priority", "The priority must be one of"),
    ({"title": "x", "milestone": "9.9"}, "milestone", "There is no milestone"),
    ({"title": "x", "assigned_to": "nobody"}, "assigned_to", "There is no user named"),
    ({"title": "x", "labels": "a" * 41}, "labels", "at most 40 characters"),
])
def test_bad_new_ticket_is_a_400_with_the_message(login, site, fields, field, message):
    mem = login("mem")
    page = mem.post_form(TOOL + "@@new", dict(fields, description="kept text"), status=400)
    assert 'id="error-%s"' % field in page.text
    assert message in page.text.replace("&#39;", "'")
    assert "kept text" in page.text
    assert stored(site, 1) is None
    # a refused ticket takes no number
    create(mem, "Good")
    assert stored(site, 1).title == "Good"


@pytest.mark.parametrize("value,message", [
    ("huge", "Severity must be one of: minor, major, blocker."),
])
def test_invalid_custom_field_is_a_400_next_to_the_field(login, site, value, message):
    mem = login("mem")
    page = mem.post_form(TOOL + "@@new", {"title": "x", "custom.severity": value,
                                          "custom.estimate": "three"}, status=400)
    assert message in page.text
    assert 'id="field-custom-severity-error"' in page.text
    assert "Estimate must be a whole number." in page.text
    assert 'id="field-custom-estimate-error"' in page.text
    assert stored(site, 1) is None
    create(mem, "x", **{"custom.severity": "minor"})
    page = edit(login("dev"), 1, 1, expect=400, title="x", status="open",
                **{"custom.estimate": "1.5"})
    assert "Estimate must be a whole number." in page.text
    assert stored(site, 1).version == 1


def test_who_may_create_edit_and_close(login, site):
    create(login("mem"), "Rules")
    mem, out, anonymous = login("mem2"), login("out"), login()
    create(mem, "Members create")
    create(out, "Outsiders do not", expect=403)
    assert anonymous.get(TOOL + "@@new").status_int == 302          # to sign in
    assert anonymous.get(TOOL + "1/").status_int == 200             # public project
    mem.get(TOOL + "1/@@edit", status=403)
    edit(mem, 1, 1, expect=403, title="Hacked", status="open")
    mem.post_form(TOOL + "1/@@status", {"status": "closed", "version": "1"}, status=403)
    assert "ticket-close" not in mem.get(TOOL + "1/").text
    assert "ticket-close" in login("dev").get(TOOL + "1/").text
    assert stored(site, 1).title == "Rules"


# -- editing and the timeline -----------------------------------------------------

def test_edit_makes_versions_and_the_timeline_names_each_change(login, site):
    mem, dev = login("mem"), login("dev")
    create(mem, "Slow list", description="one", labels="perf, ui",
           **{"custom.severity": "minor"})
    fields = edit_fields(dev, 1)
    assert fields["version"] == "1" and fields["custom.severity"] == "minor"
    fields.update(status="accepted", labels="perf, backend", assigned_to="dev",
                  description="two", comment="taking it")
    fields["custom.severity"] = "major"
    dev.post_form(TOOL + "1/@@edit", fields, status=302)
    ticket = stored(site, 1)
    assert (ticket.version, ticket.status, ticket.description) == (2, "accepted", "two")
    snap = Snapshot.query.get(artifact_id=ticket._id, version=2)
    assert snap.comment == "taking it" and snap.data["status"] == "accepted"
    page = mem.get(TOOL + "1/")
    timeline = page.text[page.text.index('id="ticket-timeline"'):]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", timeline))
    assert "mem created the ticket" in text
    assert "dev changed" in text
    assert "status : open → accepted" in text.replace(" :", " :")
    assert "assigned to : — → dev" in text
    assert "+backend" in text and "−ui" in text
    assert "Severity : minor → major" in text
    assert "description edited" in text and "taking it" in text
    event = OutboxEvent.query.find({"topic": "tracker.ticket.updated"}).first()
    assert set(event.message["detail"]["fields"]) >= {"status", "labels", "custom",
                                                      "description", "assigned_to_id"}


def test_stale_edit_is_a_409_and_overwrites_nothing(login, site):
    mem, dev, ada = login("mem"), login("dev"), login("ada")
    create(mem, "Shared", description="base")
    edit(dev, 1, 1, title="Shared", status="open", description="dev's text")
    page = edit(ada, 1, 1, expect=409, title="Shared", status="open",
                description="ada's text")
    assert "ada&#39;s text" in page.text and "dev&#39;s text" in page.text
    ticket = stored(site, 1)
    assert (ticket.version, ticket.description) == (2, "dev's text")
    # the quick status change is optimistic too
    dev.post_form(TOOL + "1/@@status", {"status": "closed", "version": "1"}, status=409)
    assert stored(site, 1).status == "open"


def test_close_and_reopen(login, site):
    mem, dev = login("mem"), login("dev")
    create(mem, "Done soon")
    dev.post_form(TOOL + "1/@@status", {"status": "closed", "version": "1"}, status=302)
    ticket = stored(site, 1)
    assert (ticket.status, ticket.closed, ticket.version) == ("closed", True, 2)
    page = mem.get(TOOL + "1/")
    assert "status</strong>: open → closed" in page.text
    dev_page = dev.get(TOOL + "1/")
    assert 'id="ticket-reopen"' in dev_page.text
    dev.post_form(TOOL + "1/@@status", {"status": "open", "version": "2"}, status=302)
    assert (stored(site, 1).closed, stored(site, 1).status) == (False, "open")
    dev.post_form(TOOL + "1/@@status", {"status": "wont-fix", "version": "3"}, status=302)
    assert stored(site, 1).closed is True
    page = dev.post_form(TOOL + "1/@@status", {"status": "bogus", "version": "4"},
                         status=400)
    assert "The status must be one of" in page.text
    dev.post_form(TOOL + "1/@@status", {"status": "open", "version": "x"}, status=400)


# -- privacy ------------------------------------------------------------------------

def test_private_ticket_is_seen_by_its_reporter_and_developers_only(login, site):
    mem = login("mem")
    create(mem, "Security hole", description="the secret", private="on")
    create(mem, "Public one")
    ticket = stored(site, 1)
    assert ticket.acl[-1] == {"access": "deny", "principal": "system.Everyone",
                              "permission": "read"}
    for b in (mem, login("dev"), login("ada")):
        assert "the secret" in b.get(TOOL + "1/").text
    for b in (login("mem2"), login("out"), login()):
        page = b.get(TOOL + "1/", status=404)
        assert "the secret" not in page.text and "Security hole" not in page.text
        b.get(TOOL + "1/@@edit", status=404)
        b.get(TOOL + "1/@@history", status=404)
        b.get(TOOL + "2/", status=200)
    login("mem2").post_form(TOOL + "1/@@watch", {}, status=404)


# -- watching -------------------------------------------------------------------------

def test_watch_and_unwatch(login, site):
    create(login("mem"), "Watch me")
    dev = login("dev")
    assert "Watch</button>" in dev.get(TOOL + "1/").text
    dev.post_form(TOOL + "1/@@watch", {}, status=302)
    dev.post_form(TOOL + "1/@@watch", {}, status=302)          # twice is once
    assert sorted(watcher_ids(stored(site, 1)._id)) == sorted([site["mem"]._id,
                                                              site["dev"]._id])
    assert "Unwatch</button>" in dev.get(TOOL + "1/").text
    out = login("out")                                           # anyone who reads may watch
    out.post_form(TOOL + "1/@@watch", {}, status=302)
    dev.post_form(TOOL + "1/@@unwatch", {}, status=302)
    assert sorted(watcher_ids(stored(site, 1)._id)) == sorted([site["mem"]._id,
                                                              site["out"]._id])
    assert stored(site, 1).version == 1                          # not a change of the ticket
    login().post(TOOL + "1/@@watch", {}, status=400)             # no CSRF token, no session
    topics = [e.topic for e in OutboxEvent.query.find({"topic": {"$regex": "watch"}})]
    assert topics.count("tracker.ticket.watched") == 2
    assert topics.count("tracker.ticket.unwatched") == 1


# -- deleting -------------------------------------------------------------------------

def test_delete_ticket(login, site):
    create(login("mem"), "Spam")
    login("mem").post_form(TOOL + "1/@@delete", {}, status=403)
    response = login("dev").post_form(TOOL + "1/@@delete", {}, status=302)
    assert response.location == "http://localhost/p/demo/tickets/"
    assert stored(site, 1).deleted is True
    login("ada").get(TOOL + "1/", status=404)
    create(login("mem"), "Next")
    assert stored(site, 2).title == "Next"                       # numbers are not reused


# -- the XSS corpus -------------------------------------------------------------------

def test_xss_corpus_is_inert_in_summary_description_labels_and_custom_fields(
        registry, login, site):
    from forge.actions.fields import add_custom_field
    from forge.model import ToolInstance
    tool = ToolInstance.query.get(_id=site["tool"]._id)
    add_custom_field(registry, tool, "note", "Note", "string", site["ada"])
    add_custom_field(registry, tool, "details", "Details", "text", site["ada"])
    session.close()
    mem, dev = login("mem"), login("dev")
    text = "\n\n".join(XSS_CORPUS)
    for payload in XSS_CORPUS:
        create(mem, payload[:200], description=text, labels=payload[:40],
               **{"custom.note": payload, "custom.details": text})
    for number in range(1, len(XSS_CORPUS) + 1):
        fields = edit_fields(dev, number)
        fields.update(comment=XSS_CORPUS[number - 1][:200], status="closed")
        dev.post_form(TOOL + "%d/@@edit" % number, fields, status=302)
        for b in (mem, dev):
            assert_inert(b.get(TOOL + "%d/" % number).text, "ticket %d" % number)
        assert_inert(dev.get(TOOL + "%d/@@edit" % number).text, "@@edit of %d" % number)
    page = mem.post_form(TOOL + "@@new", {"title": XSS_CORPUS[1],
                                          "custom.estimate": XSS_CORPUS[0],
                                          "description": text}, status=400)
    assert_inert(page.text, "the refused @@new")
    assert_inert(mem.post_form(TOOL + "@@preview", {"text": text}).text, "the preview")


def test_milestones_and_default_assignee_come_from_the_tracker_options(login, site):
    from forge.model import ToolInstance
    tool = ToolInstance.query.get(_id=site["tool"]._id)
    tool.options = {"milestones": [{"name": "1.0", "due": "2027-01-01"},
                                   {"name": "1.1", "due": ""},
                                   {"name": "0.9", "closed": True}],
                    "default_assignee": "dev"}
    session.flush()
    session.close()
    mem = login("mem")
    form = mem.get(TOOL + "@@new").forms["ticket-form"]
    assert form["assigned_to"].value == "dev"
    assert [v for v, _s, _t in form["milestone"].options] == ["", "1.0", "1.1"]
    create(mem, "Plan", milestone="1.0", assigned_to="dev")
    dev = login("dev")
    fields = edit_fields(dev, 1)
    fields.update(milestone="1.1")
    dev.post_form(TOOL + "1/@@edit", fields, status=302)
    assert stored(site, 1).milestone == "1.1"
    assert "milestone</strong>: 1.0 → 1.1" in mem.get(TOOL + "1/").text
    page = create(mem, "Old", expect=400, milestone="2.0")
    assert "There is no milestone" in page.text.replace("&#39;", "'")


def test_short_links_in_descriptions(login, site):
    mem = login("mem")
    create(mem, "First")
    create(mem, "Second", description="Follows [#1]; see [tickets:1] and [#99].")
    page = mem.get(TOOL + "2/")
    assert page.text.count('href="http://localhost/p/demo/tickets/1/"') >= 2
    preview = mem.post_form(TOOL + "@@preview", {"text": "see [#1]"})
    assert 'href="http://localhost/p/demo/tickets/1/"' in preview.text
