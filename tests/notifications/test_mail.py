"""E-mail notifications against a real SMTP server (aiosmtpd on 127.0.0.1):
each change, comments, the digest, the unsubscribe link, and nothing ever
mailed to someone who may not read the artifact when the mail is sent."""
from forge.actions.acl import set_privacy
from forge.actions.roles import remove_member, role_named
from forge.model import Project, ToolInstance, session
from forge.notifications.digest import send_digests
from forge.notifications.model import DigestRun
from forge.notifications.watches import is_watching, watcher_ids
from forge.resources import root_factory
from tools.tracker.model import Ticket
from tools.wiki.actions import create_page

from .conftest import TICKETS, WIKI, body, edit_ticket, new_ticket, unsubscribe_link

BASE = "http://127.0.0.1:6543"


def ticket_doc(site, number):
    session.close()
    return Ticket.query.get(tool_id=site["tickets"]._id, number=number)


# -- each change --------------------------------------------------------------------

def test_each_change_mails_the_watchers_but_not_the_actor(site, login, mail):
    mem, dev = login("mem"), login("dev")
    number = new_ticket(mem, "Crash on start", "It crashes.")
    assert watcher_ids(ticket_doc(site, number)._id) == [site["mem"]._id]   # the reporter
    assert mail() == {}                               # creating it mailed nobody else
    dev.post_form(TICKETS + "1/@@watch", {}, status=302)
    edit_ticket(dev, number, status="closed")
    sent = mail()
    assert list(sent) == ["mem@example.test"]        # dev acted: not mailed
    message = sent["mem@example.test"][0]
    assert message["Subject"] == "[Demo] #1 Crash on start: changed closed, status"
    assert message["From"] == "PyForge <forge@example.test>"
    text = body(message)
    assert "by dev" in text and BASE + TICKETS + "1/" in text
    # RFC 8058 one-click unsubscribe, and the same link in the body
    link = unsubscribe_link(message)
    assert link.startswith(BASE + "/@@unsubscribe?token=") and link in text
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Auto-Submitted"] == "auto-generated"
    # the next change is ada's: both watchers get it
    edit_ticket(login("ada"), number, title="Crash on start (Linux)")
    assert sorted(mail()) == ["dev@example.test", "mem@example.test"]


def test_a_project_watch_covers_its_tools_and_pages(site, login, mail, registry):
    login("out").post_form("/p/demo/@@watch", {}, status=302)
    assert "Unwatch</button>" in login("out").get("/p/demo/").text
    create_page(registry, site["project"], site["wiki"], "Home", "Home", "Welcome", site["ada"])
    sent = mail()
    assert list(sent) == ["out@example.test"]
    message = sent["out@example.test"][0]
    assert message["Subject"] == "[Demo] Home: created"
    assert BASE + WIKI + "Home/" in body(message)
    # the page's author watches it now (the reactor did that)
    page_id = [w for w in watcher_ids_of_page(site)]
    assert site["ada"]._id in page_id


def watcher_ids_of_page(site):
    from tools.wiki.model import WikiPage
    session.close()
    return watcher_ids(WikiPage.query.get(tool_id=site["wiki"]._id, path="Home")._id)


def test_comments_are_mailed_once_visible(site, login, mail):
    number = new_ticket(login("mem"), "Paint")
    mail()
    out = login("out")                 # an outsider's comment waits for a moderator
    out.post_form(TICKETS + "%d/@@post" % number, {"text": "Me too, on the blue one."},
                  status="*")
    assert mail() == {}
    dev = login("dev")
    dev.post_form(TICKETS + "%d/@@post" % number, {"text": "Fixed in the next build."},
                  status="*")
    sent = mail()
    assert list(sent) == ["mem@example.test"]
    message = sent["mem@example.test"][0]
    assert message["Subject"] == "[Demo] Re: #1 Paint: new comment"
    assert "Fixed in the next build." in body(message)
    assert "#post-" in body(message)


def test_no_mail_preference(site, login, mail):
    mem = login("mem")
    number = new_ticket(mem, "Quiet")
    account = mem.get("/@@account")
    assert account.forms["mail-preference-form"]["frequency"].value == "each"
    mem.post_form("/@@mail-preference", {"frequency": "none"}, status=302)
    assert mem.get("/@@account").forms["mail-preference-form"]["frequency"].value == "none"
    edit_ticket(login("dev"), number, status="closed")
    assert mail() == {}
    refused = mem.post_form("/@@mail-preference", {"frequency": "weekly"}, status=400)
    assert "Choose one of" in refused.text
    login().post("/@@mail-preference", {"frequency": "none"}, status=400)   # no CSRF token


# -- who may read -------------------------------------------------------------------

def test_private_ticket_is_never_mailed_to_outsiders(site, login, mail):
    out, mem, dev = login("out"), login("mem"), login("dev")
    for browser in (out, mem, dev):           # everyone watches the whole tracker
        browser.post_form(TICKETS + "@@watch", {}, status=302)
    new_ticket(login("ada"), "Security hole: the secret", "the secret", private=True)
    sent = mail()
    # a private ticket: Developers and its reporter only
    assert list(sent) == ["dev@example.test"]
    assert "the secret" in sent["dev@example.test"][0]["Subject"]
    edit_ticket(login("ada"), 1, description="the secret, worse")
    assert list(mail()) == ["dev@example.test"]


def test_a_user_who_lost_read_access_gets_nothing(site, login, mail, registry):
    mem = login("mem")
    number = new_ticket(mem, "Member business")
    mem.post_form(TICKETS + "@@watch", {}, status=302)
    login("out").post_form(TICKETS + "@@watch", {}, status=302)
    mail()
    # the tracker becomes private to Members: out may no longer read it
    set_privacy(registry, tool_node(registry, site), True, site["ada"])
    edit_ticket(login("dev"), number, status="closed")
    assert list(mail()) == ["mem@example.test"]
    # then mem loses the Member role: nobody but dev (the actor) may read it
    project = Project.query.get(_id=site["project"]._id)
    remove_member(registry, project, role_named(project, "Member"), site["mem"], site["ada"])
    edit_ticket(login("dev"), number, status="open")
    assert mail() == {}


def tool_node(registry, site):
    from pyramid.request import Request
    from pyramid.scripting import prepare
    request = Request.blank("/")
    env = prepare(request=request, registry=registry)
    root = root_factory(env["request"])
    node = root["p"]["demo"]["tickets"]
    assert isinstance(node.doc, ToolInstance)
    return node


# -- unsubscribe --------------------------------------------------------------------

def test_the_unsubscribe_link_works_and_stops_the_mail(site, login, mail):
    mem = login("mem")
    number = new_ticket(mem, "Noisy")
    edit_ticket(login("dev"), number, status="closed")
    link = unsubscribe_link(mail()["mem@example.test"][0])
    path = link[len(BASE):]
    anonymous = login()
    page = anonymous.get(path)                         # GET only asks
    assert "Unsubscribe</button>" in page.text and "mem" in page.text
    assert is_watching(site["mem"]._id, ticket_doc(site, number)._id)
    # RFC 8058: the mail provider POSTs List-Unsubscribe=One-Click, no cookies, no CSRF
    token = path.split("token=", 1)[1]
    done = anonymous.post("/@@unsubscribe", {"token": token,
                                             "List-Unsubscribe": "One-Click"})
    assert "no longer watches" in done.text
    assert not is_watching(site["mem"]._id, ticket_doc(site, number)._id)
    edit_ticket(login("dev"), number, status="open")
    assert mail() == {}
    # a tampered or cut token is a 400 page with a message, not an error
    bad = anonymous.get("/@@unsubscribe?token=" + token[:-2] + "xx", status=400)
    assert "not valid" in bad.text
    anonymous.post("/@@unsubscribe", {"token": "nonsense"}, status=400)


def test_a_failing_smtp_server_is_retried_by_the_bus(site, login, mail, smtp_server):
    number = new_ticket(login("mem"), "Flaky")
    smtp_server.fail_next = 1                      # one 451, then the server recovers
    edit_ticket(login("dev"), number, status="closed")
    sent = mail()
    assert [m["Subject"] for m in sent["mem@example.test"]] == [
        "[Demo] #1 Flaky: changed closed, status"]


# -- digest -------------------------------------------------------------------------

def test_daily_digest_once_per_period(site, login, mail, registry):
    mem = login("mem")
    mem.post_form("/@@mail-preference", {"frequency": "digest"}, status=302)
    first = new_ticket(mem, "One")
    second = new_ticket(mem, "Two")
    dev = login("dev")
    edit_ticket(dev, first, status="closed")
    edit_ticket(dev, second, title="Two, renamed")
    assert mail() == {}                                # nothing mailed at once
    assert send_digests(registry, "2026-01-01") == (1, 0)
    sent = mail()
    message = sent["mem@example.test"][0]
    assert message["Subject"] == "Your daily digest: 2 changes"
    text = body(message)
    assert "#1 One: changed closed, status" in text and BASE + TICKETS + "2/" in text
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # the same period again: nothing; the run is recorded
    assert send_digests(registry, "2026-01-01") == (0, 0)
    assert DigestRun.query.get(_id="%s:2026-01-01" % site["mem"]._id).num_items == 2
    edit_ticket(dev, first, status="open")
    mail()
    assert send_digests(registry, "2026-01-01") == (0, 1)    # waits for the next period
    assert mail() == {}
    assert send_digests(registry, "2026-01-02") == (1, 0)
    assert len(mail()["mem@example.test"]) == 1
    # the digest's link stops all mail
    link = unsubscribe_link(message)
    login().post("/@@unsubscribe", {"token": link.split("token=", 1)[1]})
    assert mem.get("/@@account").forms["mail-preference-form"]["frequency"].value == "none"


def test_digest_drops_what_the_user_can_no_longer_read(site, login, mail, registry):
    mem = login("mem")
    mem.post_form("/@@mail-preference", {"frequency": "digest"}, status=302)
    number = new_ticket(mem, "Members only")
    edit_ticket(login("dev"), number, status="closed")
    mail()
    project = Project.query.get(_id=site["project"]._id)
    set_privacy(registry, tool_node(registry, site), True, site["ada"])
    remove_member(registry, project, role_named(project, "Member"), site["mem"], site["ada"])
    assert send_digests(registry, "2026-01-01") == (0, 1)
    assert mail() == {}


def test_a_parent_project_watch_covers_subprojects_but_not_private_ones(
        site, login, mail, registry, make_project):
    from forge.actions.projects import install_tool
    login("out").post_form("/p/demo/@@watch", {}, status=302)
    login("mem").post_form("/p/demo/@@watch", {}, status=302)
    mail()
    public = make_project("docs", site["ada"], parent="demo")
    secret = make_project("vault", site["ada"], parent="demo", private=True)
    public_wiki = install_tool(registry, public, "wiki", "wiki", site["ada"])
    secret_wiki = install_tool(registry, secret, "wiki", "wiki", site["ada"])
    mail()
    create_page(registry, public, public_wiki, "Guide", "Public guide", "x", site["ada"])
    create_page(registry, secret, secret_wiki, "Plans", "Vault plans", "y", site["ada"])
    sent = mail()
    subjects = {address: sorted(m["Subject"] for m in messages)
                for address, messages in sent.items()}
    assert subjects["out@example.test"] == ["[Docs] Public guide: created"]
    # the private subproject is readable by the Members of demo (whose roles it uses)
    assert subjects["mem@example.test"] == ["[Docs] Public guide: created",
                                            "[Vault] Vault plans: created"]



def test_a_first_copy_reads_no_sent_markers_and_a_retry_does(
        site, login, mail, smtp_server, registry, monkeypatch):
    from forge.bus.registry import freeze
    from forge.bus.worker import ReactorContext
    from forge.model import OutboxEvent
    from forge.model.session import collection
    from forge.notifications import reactor
    number = new_ticket(login("mem"), "Markers")
    assert mail() == {}
    edit_ticket(login("dev"), number, status="closed")
    session.close()
    record = max((r for r in collection(OutboxEvent).find() if "updated" in r["topic"]),
                 key=lambda r: r["seq"])
    event = freeze(record["message"])
    read = []
    real = reactor.mailed_already
    monkeypatch.setattr(reactor, "mailed_already", lambda event_id: read.append(event_id)
                        or real(event_id))
    smtp_server.clear()
    # the bus's first delivery of the event's first copy: nobody was mailed yet
    reactor.notify(event, ReactorContext(registry, registry.settings, 1, first_copy=True))
    assert [m.envelope_to for m in smtp_server.messages] == [["mem@example.test"]]
    assert read == []
    # any other copy reads the markers (once) and mails nobody twice
    reactor.notify(event, ReactorContext(registry, registry.settings, 2))
    assert len(smtp_server.messages) == 1
    assert read == [record["_id"]]
