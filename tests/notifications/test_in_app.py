"""In-app notifications of a site that sends no mail (forge.notifications.in_app):
the watchers' changes are kept, counted in the header, listed on
/@@notifications, and shown only while the reader may read the node."""
import pytest

from forge.actions.projects import update_project
from forge.model import Project
from forge.notifications import in_app
from forge.signed_pages import SignedInPages
from forge.testing import count_queries, forge_test_settings

from .conftest import edit_ticket, new_ticket


@pytest.fixture
def forge_settings():
    return forge_test_settings()        # no forge.mail.host: nothing is mailed


def unread_badge(browser):
    link = browser.get("/@@account").html.select_one("#notifications-link")
    badge = link.select_one(".badge")
    return badge.get_text() if badge else ""


def listed(browser):
    page = browser.get("/@@notifications")
    items = page.html.select("#notification-list li")
    return [item.get_text(" ", strip=True) for item in items]


def test_a_change_reaches_the_watcher_in_the_app_not_the_actor(login, site, run_reactors):
    mem, dev = login("mem"), login("dev")
    number = new_ticket(mem, "Engine stalls")           # mem watches what she reports
    run_reactors()
    edit_ticket(dev, number, status="closed")
    run_reactors()
    assert unread_badge(mem) == "1"
    [item] = listed(mem)
    assert "Engine stalls" in item and "dev" in item and "new" in item
    assert listed(dev) == [] and unread_badge(dev) == ""
    # a retried event tells nobody twice
    run_reactors()
    assert len(listed(mem)) == 1


def test_mark_all_read(login, site, run_reactors):
    mem, dev = login("mem"), login("dev")
    number = new_ticket(mem, "Engine stalls")
    run_reactors()
    edit_ticket(dev, number, status="closed")
    edit_ticket(dev, number, status="open")
    run_reactors()
    assert unread_badge(mem) == "2"
    mem.post_form("/@@notifications", {}, status=302)
    assert unread_badge(mem) == ""
    assert len(listed(mem)) == 2 and not any("new" in i.split() for i in listed(mem))


def test_a_project_made_private_later_is_no_longer_listed(
        login, site, registry, run_reactors):
    out, mem = login("out"), login("mem")
    out.post_form("/p/demo/@@watch", {}, status=302)
    new_ticket(mem, "Was public")
    run_reactors()
    assert any("Was public" in item for item in listed(out))
    project = Project.query.get(_id=site["project"]._id)
    update_project(registry, project, project.title, project.description, True, site["ada"])
    assert not any("Was public" in item for item in listed(out))
    assert unread_badge(out) == ""       # nor counted: a count would tell something happened


def test_visitors_are_asked_to_sign_in(login, site):
    page = login().get("/@@notifications", status=302)
    assert "/@@login" in page.location
    login().post("/@@notifications", {}, status=(302, 400, 403))


def warm_reads(browser, url):
    browser.get(url)
    with count_queries() as reads:
        browser.get(url)
    return len(reads)


def test_the_badge_costs_a_warm_page_no_read(login, site, run_reactors, monkeypatch):
    """The count is kept per (reader, site generations, the session's own
    generation): a warm signed-in page reads nothing for it, however many
    notifications there are; a new one, or "mark all read", shows at once."""
    # the page rendered each time: not taken whole from the page cache (forge.signed_pages)
    monkeypatch.setattr(SignedInPages, "key", lambda self, request: None)
    mem, dev = login("mem"), login("dev")
    number = new_ticket(mem, "Engine stalls")
    run_reactors()
    for status in ("closed", "open", "closed"):
        edit_ticket(dev, number, status=status)
    run_reactors()
    url = "/p/demo/tickets/%d/" % number
    cached = warm_reads(mem, url)
    assert unread_badge(mem) == "3"
    # the same page counted on every view (as before the count was kept): the
    # list of unread ones is read again (their nodes come from the kept families)
    monkeypatch.setattr(in_app, "reader_cached", lambda request, key, load: load())
    assert warm_reads(mem, url) >= cached + 1
    monkeypatch.undo()
    monkeypatch.setattr(SignedInPages, "key", lambda self, request: None)
    edit_ticket(dev, number, status="open")
    run_reactors()                              # another process's reactor, as in a worker
    assert unread_badge(mem) == "4"
    assert warm_reads(mem, url) == cached       # one more unread: the same reads
    mem.post_form("/@@notifications", {}, status=302)
    assert unread_badge(mem) == ""
    assert warm_reads(mem, url) == cached
