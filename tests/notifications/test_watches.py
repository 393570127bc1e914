"""Watching: the buttons and ``@@watch``/``@@unwatch`` on projects, tools
and artifacts of every tool, who may watch, automatic watches of authors,
and the pieces (tokens, mailer settings) on their own."""
import pytest
from pyramid.exceptions import ConfigurationError

from forge.model import ChangeLogEntry, OutboxEvent, ToolInstance, session
from forge.notifications.mailer import Mailer
from forge.notifications.model import Watch
from forge.notifications.tokens import make_token, read_token
from forge.notifications.watches import is_watching, watcher_ids

from .conftest import TICKETS, WIKI, new_ticket


def test_watch_buttons_on_project_tool_and_artifact_pages(site, login, registry):
    from tools.wiki.actions import create_page
    create_page(registry, site["project"], site["wiki"], "Home", "Home", "Hi", site["ada"])
    out = login("out")
    pages = {"/p/demo/": site["project"]._id, TICKETS: site["tickets"]._id,
             WIKI + "Home/": None}
    for path, node_id in pages.items():
        assert "Watch</button>" in out.get(path).text
        out.post_form(path + "@@watch", {}, status=302)
        out.post_form(path + "@@watch", {}, status=302)          # twice is once
        assert "Unwatch</button>" in out.get(path).text
    assert collection_count(site["out"]._id) == 3
    # the wiki page shows the page's button and the wiki's own
    text = out.get(WIKI + "Home/").text
    assert "Unwatch</button>" in text and "Unwatch the wiki</button>" not in text
    assert "Watch the wiki</button>" in text
    out.post_form(TICKETS + "@@unwatch", {}, status=302)
    assert not is_watching(site["out"]._id, site["tickets"]._id)
    # every change is an action: audited and announced
    topics = [e.topic for e in OutboxEvent.query.find({"topic": {"$regex": "watch"}})]
    assert topics.count("project.watched") == 1
    assert topics.count("project.tool.watched") == 1 and "project.tool.unwatched" in topics
    assert topics.count("wiki.page.watched") == 1
    assert ChangeLogEntry.query.find({"action": "unwatch"}).count() == 1


def collection_count(user_id):
    session.close()
    return len(Watch.query.find({"user_id": user_id}).all())


def test_who_may_watch(site, login):
    new_ticket(login("ada"), "Hidden", private=True)
    # anonymous: no button, and a POST is refused (no session, no CSRF token)
    assert "Watch</button>" not in login().get("/p/demo/").text
    login().post("/p/demo/@@watch", {}, status=400)
    # a signed-in user who may not read the ticket: 404, as for the page itself
    login("out").post_form(TICKETS + "1/@@watch", {}, status=404)
    assert watcher_ids(ticket_id(site, 1)) == [site["ada"]._id]
    # GET does nothing
    login("out").get("/p/demo/@@watch", status=404)


def ticket_id(site, number):
    from tools.tracker.model import Ticket
    session.close()
    return Ticket.query.get(tool_id=site["tickets"]._id, number=number)._id


def test_authors_watch_what_they_create(site, login, registry, run_reactors):
    from tools.discussion.actions import create_forum, create_thread
    from tools.wiki.actions import create_page
    from forge.actions.projects import install_tool
    from pyramid.scripting import prepare
    from pyramid.request import Request
    page = create_page(registry, site["project"], site["wiki"], "Start", "Start", "x",
                       site["dev"])
    forum_tool = install_tool(registry, site["project"], "discussion", "forum", site["ada"])
    create_forum(registry, site["project"], forum_tool, "talk", "Talk", "", site["ada"])
    session.close()
    env = prepare(request=Request.blank("/"), registry=registry)
    forum = env["root"]["p"]["demo"]["forum"]["talk"]
    thread, _post = create_thread(registry, forum, "Hello", "First post", site["mem"],
                                  may_skip_moderation=True, trusted=True)
    thread_id = thread.doc._id
    env["closer"]()
    run_reactors()
    assert site["dev"]._id in watcher_ids(page._id)
    assert site["mem"]._id in watcher_ids(thread_id)
    # the ticket's reporter watches at once (the tracker's action, not the reactor)
    new_ticket(login("mem"), "Now")
    assert watcher_ids(ticket_id(site, 1)) == [site["mem"]._id]


def test_notes_and_forum_pages_have_the_button(site, login, registry):
    from forge.actions.projects import install_tool
    install_tool(registry, site["project"], "notes", "notes", site["ada"])
    install_tool(registry, site["project"], "discussion", "forum", site["ada"])
    mem = login("mem")
    for path in ("/p/demo/notes/", "/p/demo/forum/"):
        assert "Watch</button>" in mem.get(path).text
        mem.post_form(path + "@@watch", {}, status=302)
    tools = {t.mount: t._id for t in ToolInstance.query.find({"project_id":
                                                              site["project"]._id})}
    assert is_watching(site["mem"]._id, tools["notes"])
    assert is_watching(site["mem"]._id, tools["forum"])


def test_tokens_are_signed():
    token = make_token("s3cret", "abc123", "w:node1")
    assert read_token("s3cret", token) == ("abc123", "w:node1")
    assert read_token("other", token) is None
    assert read_token("s3cret", token[:-1]) is None
    assert read_token("s3cret", "") is None and read_token("s3cret", "a.b.c") is None
    assert read_token("s3cret", make_token("s3cret", "abc123", "all")) == ("abc123", "all")
    forged = make_token("s3cret", "abc123", "x:oops")
    assert read_token("s3cret", forged) is None


def test_mailer_settings():
    with pytest.raises(ConfigurationError):
        Mailer("smtp.example.test", 25, tls="maybe")
    assert not Mailer("", 25).enabled
    assert Mailer("smtp.example.test", "587", tls="starttls").port == 587
