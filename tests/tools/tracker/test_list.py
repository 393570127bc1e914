"""The ticket list: filters (custom fields, assigned_to:me), sort, paging,
private tickets trimmed before counting and paging, bad queries as 400s,
saved searches, and a 10,000-ticket tracker served from an index."""
import re

import pytest

from forge.model import session
from forge.model.session import collection, new_id, utcnow
from forge.testing import count_queries
from tools.tracker.actions import create_ticket
from tools.tracker.model import Ticket
from tools.tracker.searches import TrackerSavedSearch

from .conftest import TOOL


def ticket(registry, site, title, actor="mem", private=False, **fields):
    fields.setdefault("description", "")
    return create_ticket(registry, site["project"], site["tool"], dict(title=title, **fields),
                         site[actor], private=private)


def numbers(page):
    return [int(n) for n in re.findall(r'id="ticket-row-(\d+)"', page.text)]


def listing(b, q=None, status=200, **params):
    if q is not None:
        params["q"] = q
    return b.get(TOOL, params=params, status=status)


@pytest.fixture
def filled(registry, site):
    """Six tickets: 1 open/ui/dev major, 2 closed, 3 accepted assigned to mem,
    4 private (by mem2), 5 open estimate 8, 6 wont-fix."""
    dev, mem = site["dev"]._id, site["mem"]._id
    ticket(registry, site, "Crash on start", labels=["ui"], assigned_to_id=dev,
           custom={"severity": "major", "estimate": 3}, priority="high")
    ticket(registry, site, "Typo in menu", labels=["ui", "wontfix"], status="closed",
           custom={"severity": "minor"})
    ticket(registry, site, "Disk full", assigned_to_id=mem, status="accepted",
           priority="critical", custom={"estimate": 1})
    ticket(registry, site, "Secret crash", actor="mem2", private=True, labels=["ui"])
    ticket(registry, site, "Slow list", custom={"severity": "blocker", "estimate": 8})
    ticket(registry, site, "Won't do", status="wont-fix")
    session.close()


def test_default_list_is_open_tickets_newest_first(login, site, filled):
    page = listing(login("mem"))
    assert numbers(page) == [5, 3, 1]
    assert 'id="ticket-count">3 tickets' in page.text
    # the tabs and the query box are there, labelled
    assert 'for="ticket-q"' in page.text and ">Closed</a>" in page.text
    # the developer (and mem2, the reporter) see the private ticket too
    assert numbers(listing(login("dev"))) == [5, 4, 3, 1]
    assert numbers(listing(login("mem2"))) == [5, 4, 3, 1]
    assert numbers(listing(login(), "")) == [6, 5, 3, 2, 1]


@pytest.mark.parametrize("q, expected", [
    ("status:closed sort:number", [2, 6]),
    ("status:accepted", [3]),
    ("assigned_to:me", [3]),
    ("assigned_to:dev label:ui", [1]),
    ("_severity:major", [1]),
    ("_estimate:>2 sort:_estimate", [1, 5]),
    ("_severity:none", [6, 3]),
    ("-label:wontfix label:ui", [1]),
    ("crash", [1]),
    ("priority:high,critical", [3, 1]),
    ("sort:-priority", [3, 1, 6, 5, 2]),
    ("reporter:mem is:closed", [6, 2]),
])
def test_filters_and_sorts(login, site, filled, q, expected):
    assert numbers(listing(login("mem"), q)) == expected


@pytest.mark.parametrize("q, message", [
    ("colour:red", "Unknown field &#39;colour&#39;"),
    ("_nope:1", "no custom field &#39;nope&#39;"),
    ("_estimate:lots", "not a whole number"),
    ("assigned_to:zed", "no user named &#39;zed&#39;"),
    ('milestone:"1.0', "A quotation mark is not closed"),
    ("status:nope", "not a state of this tracker"),
])
def test_bad_queries_are_400_with_a_message(login, site, filled, q, message):
    page = listing(login("mem"), q, status=400)
    assert 'id="query-error"' in page.text and message in page.text
    # what was typed stays in the box
    assert 'aria-invalid="true"' in page.text


def test_assigned_to_me_needs_a_signed_in_user(login, site, filled):
    page = listing(login(), "assigned_to:me", status=400)
    assert "Sign in to search for assigned_to:me" in page.text


def test_sort_links_flip_direction(login, site, filled):
    page = listing(login("mem"), "is:open sort:priority")
    assert 'href="?q=is%3Aopen%20sort%3A-priority"' in page.text
    assert 'href="?q=is%3Aopen%20sort%3Amodified"' in page.text
    # labels are not a sort key, so their header is no link
    assert '<th scope="col">Labels</th>' in page.text


def test_titles_and_queries_are_escaped(registry, login, site):
    ticket(registry, site, '<script>alert(1)</script> "quoted"', labels=["<b>x</b>"])
    session.close()
    mem = login("mem")
    page = listing(mem, "")
    assert "<script>alert(1)" not in page.text and "&lt;script&gt;alert(1)" in page.text
    assert "<b>x</b>" not in page.text
    bad = listing(mem, 'status:<img/src=x/onerror=alert(1)>', status=400)
    assert "<img/src" not in bad.text and "&lt;img/src=x" in bad.text
    found = listing(mem, 'label:"<b>x</b>"')
    assert numbers(found) == [1]


def test_paging_and_private_tickets_change_neither_counts_nor_pages(registry, login, site):
    # 30 tickets; every third one private (readable by developers and its reporter mem2)
    for n in range(1, 31):
        private = n % 3 == 0
        ticket(registry, site, "Ticket %d" % n, actor="mem2" if private else "mem",
               private=private)
    session.close()
    mem = login("mem")
    first = listing(mem, "sort:number")
    public = [n for n in range(1, 31) if n % 3]
    assert numbers(first) == public[:20] if len(public) <= 25 else public[:25]
    assert len(public) == 20
    assert 'id="ticket-count">20 tickets' in first.text and "Next" not in first.text
    dev = login("dev")
    page1 = listing(dev, "sort:number")
    assert numbers(page1) == list(range(1, 26))
    assert 'rel="next"' in page1.text and "count all" in page1.text
    page2 = listing(dev, "sort:number", page=2)
    assert numbers(page2) == list(range(26, 31))
    assert "30 tickets · page 2" in page2.text
    # counting on request
    counted = listing(dev, "sort:number", count=1)
    assert "30 tickets · page 1" in counted.text
    # an outsider on page 2 of a public-only list sees nothing of the private ones
    assert numbers(listing(login(), "sort:number", page=2)) == []


def test_extra_columns_show_custom_fields(registry, login, site, filled):
    from forge.model import ToolInstance
    from tools.tracker.admin_actions import set_list_columns
    set_list_columns(registry, ToolInstance.query.get(_id=site["tool"]._id), ["estimate"],
                     site["ada"])
    session.close()
    page = listing(login("mem"), "sort:number")
    assert ">Estimate</a></th>" in page.text
    row = page.text.split('id="ticket-row-1"')[1].split("</tr>")[0]
    assert "<td>3</td>" in row


# -- saved searches --------------------------------------------------------------

def test_personal_saved_searches(login, site, filled):
    mem = login("mem")
    response = mem.post_form(TOOL + "@@save-search", {"name": "My UI", "q": "label:ui is:open"})
    assert response.status_int == 302
    page = listing(mem, "label:ui is:open")
    assert ">My UI</a>" in page.text and 'aria-current="page">My UI' in page.text
    # others do not see it
    assert "My UI" not in listing(login("dev")).text
    # saving a bad query is refused with the parser's message
    bad = mem.post_form(TOOL + "@@save-search", {"name": "Bad", "q": "colour:red"}, status=400)
    assert "Unknown field" in bad.text
    # anonymous users cannot save
    anon = login()
    anon_page = anon.post_form(TOOL + "@@save-search", {"name": "x", "q": ""}, status=403)
    assert "Sign in to save searches" in anon_page.text
    search = TrackerSavedSearch.query.get(name="My UI")
    # the event names no project or tool: nobody's stream or activity shows it
    from forge.model import OutboxEvent
    event = OutboxEvent.query.get(topic="tracker.search.saved")
    assert event.message["project_id"] is None and event.message["tool_id"] is None
    assert "My UI" not in str(event.message)
    # someone else cannot delete it
    login("dev").post_form(TOOL + "@@delete-search", {"id": search._id}, status=400)
    mem.post_form(TOOL + "@@delete-search", {"id": search._id}, status=302)
    session.close()
    assert TrackerSavedSearch.query.get(name="My UI") is None


def test_tracker_saved_searches_are_tabs_for_everyone(registry, login, site, filled):
    ada = login("ada")
    ada.post_form(TOOL + "@@admin", {"form": "add-search", "name": "Blockers",
                                     "query": "_severity:blocker"}, status=302)
    page = listing(login())
    assert 'class="tracker-search" href="?q=_severity%3Ablocker">Blockers</a>' in page.text
    bad = ada.post_form(TOOL + "@@admin", {"form": "add-search", "name": "Bad",
                                           "query": "_nope:1"}, status=400)
    assert "The query cannot run" in bad.text


# -- scale: a 10,000-ticket tracker -------------------------------------------------

def test_ten_thousand_tickets_filtered_and_paged_from_the_index(login, site):
    now = utcnow()
    tool_id, project_id = site["tool"]._id, site["project"]._id
    docs = []
    for n in range(1, 10001):
        docs.append({"_id": new_id(), "type": "tracker.ticket", "project_id": project_id,
                     "tool_id": tool_id, "path": str(n), "family": str(n), "number": n,
                     "title": "Ticket %d" % n, "description": "", "acl": [],
                     "labels": ["ui"] if n % 2 else [], "custom": {}, "ext": {},
                     "status": "open" if n % 4 else "closed", "closed": not n % 4,
                     "priority": "normal", "milestone": "", "assigned_to_id": None,
                     "reporter_id": site["mem"]._id, "author_id": site["mem"]._id,
                     "watcher_ids": [], "version": 1, "created": now, "modified": now,
                     "deleted": False})
    collection(Ticket).insert_many(docs)
    mem = login("mem")
    with count_queries() as reads:
        page = listing(mem, "is:open label:ui", page=3)
    expected = [n for n in range(10000, 0, -1) if n % 4 and n % 2][50:75]
    assert numbers(page) == expected
    # the page, its lineage and the viewer; the tickets in one query
    assert len(reads) < 20
