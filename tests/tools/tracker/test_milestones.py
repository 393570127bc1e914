"""Milestones: the list with progress and due dates, one page per milestone,
and private tickets left out of what an outsider counts."""
from forge.model import ToolInstance, session
from tools.tracker.actions import create_ticket
from tools.tracker.admin_actions import add_milestone, update_milestone

from .conftest import TOOL


def tool(site):
    return ToolInstance.query.get(_id=site["tool"]._id)


def ticket(registry, site, title, milestone, status="open", actor="mem", private=False):
    create_ticket(registry, site["project"], site["tool"],
                  dict(title=title, description="", milestone=milestone, status=status),
                  site[actor], private=private)


def test_milestones_with_progress_due_dates_and_pages(registry, login, site):
    add_milestone(registry, tool(site), "Release 2.0", "2099-06-01", "The *big* one.",
                  site["ada"])
    add_milestone(registry, tool(site), "1.0", "2000-01-31", "", site["ada"])
    add_milestone(registry, tool(site), "Someday", "", "", site["ada"])
    for n, status in enumerate(("open", "closed", "wont-fix", "accepted")):
        ticket(registry, site, "One %d" % n, "1.0", status)
    ticket(registry, site, "Two", "Release 2.0", "closed")
    ticket(registry, site, "Hidden", "Release 2.0", "open", actor="mem2", private=True)
    update_milestone(registry, tool(site), "Someday", site["ada"], closed=True)
    session.close()

    mem = login("mem")
    page = mem.get(TOOL + "@@milestones")
    text = page.text
    # dated milestones first, soonest first; closed ones apart
    assert text.index(">1.0</a>") < text.index(">Release 2.0</a>") < text.index(">Someday</a>")
    assert 'id="closed-milestones"' in text
    one = text.split(">1.0</a>")[1].split("</li>")[0]
    assert "2 of 4 closed" in one and "(50%)" in one and "overdue" in one
    assert 'aria-valuenow="50"' in one
    # the private ticket is not counted for mem, it is for a developer
    two = text.split(">Release 2.0</a>")[1].split("</li>")[0]
    assert "1 of 1 closed" in two and "overdue" not in two
    dev_two = login("dev").get(TOOL + "@@milestones").text.split(">Release 2.0</a>")[1]
    assert "1 of 2 closed" in dev_two.split("</li>")[0]

    detail = mem.get(TOOL + "@@milestone/Release%202.0")
    assert "<em>big</em>" in detail.text and 'id="milestone-due">Due 2099-06-01' in detail.text
    assert "Two" in detail.text and "Hidden" not in detail.text
    assert 'id="milestone-progress">1 of 1 closed' in detail.text
    listing = mem.get(TOOL + "@@milestone/1.0")
    # open states first, then closed, within the milestone
    rows = listing.text.split('id="ticket-list"')[1]
    assert rows.index("One 0") < rows.index("One 3") < rows.index("One 1")
    mem.get(TOOL + "@@milestone/9.9", status=404)
    # ticket rows link to their milestone's page
    assert 'href="http://localhost/p/demo/tickets/@@milestone/1.0"' in mem.get(
        TOOL, params={"q": "milestone:1.0"}).text


def test_milestone_progress_reads_an_index_not_a_count(registry, login, site):
    from forge.testing import count_queries
    add_milestone(registry, tool(site), "1.0", "", "", site["ada"])
    for n in range(5):
        ticket(registry, site, "T%d" % n, "1.0", "closed" if n < 2 else "open")
    session.close()
    mem = login("mem")
    mem.get(TOOL + "@@milestones")
    with count_queries() as reads:
        page = mem.get(TOOL + "@@milestones")
    assert "2 of 5 closed" in page.text
    assert reads.count("find") <= 12


def test_a_milestone_name_with_a_slash_and_spaces_has_its_page(registry, login, site):
    add_milestone(registry, tool(site), "v1/beta 2", "", "", site["ada"])
    ticket(registry, site, "Sliced", "v1/beta 2")
    session.close()
    mem = login("mem")
    listing = mem.get(TOOL + "@@milestones")
    assert 'href="http://localhost/p/demo/tickets/@@milestone/v1%2Fbeta%202"' in listing.text
    page = mem.get(TOOL + "@@milestone/v1%2Fbeta%202")
    assert "Sliced" in page.text and "1 of 1" not in page.text and "0 of 1 closed" in page.text
