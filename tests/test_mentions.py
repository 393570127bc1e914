"""``@name`` notifies the people mentioned (forge.mentions): once per version
that newly mentions them, only if they may read it, never the actor; in-app
when the site sends no mail."""
from types import SimpleNamespace

import pytest

from forge.actions.projects import install_tool
from forge.actions.roles import add_member, role_named
from forge.actions.users import set_disabled
from forge.mentions import notify_mentions
from forge.model import OutboxEvent, Project, ToolInstance, User, session
from forge.model.session import collection
from forge.notifications.in_app import InAppNotification
from forge.testing import forge_test_settings, smtp_settings


@pytest.fixture
def forge_settings(smtp_server):
    return forge_test_settings(**smtp_settings(smtp_server))


@pytest.fixture
def site(registry, make_user, make_project):
    ada = make_user("ada")
    project = make_project("demo", ada, title="Demo")
    mem = make_user("mem")
    add_member(registry, project, role_named(project, "Member"), mem, ada)
    add_member(registry, project, role_named(project, "Developer"), make_user("dev"), ada)
    make_user("out")
    set_disabled(make_user("gone"), True, ada)
    install_tool(registry, project, "tracker", "tickets", ada)
    session.close()
    return project


def new_ticket(registry, site, text, private=False, actor="ada"):
    from tools.tracker.actions import create_ticket
    tool = ToolInstance.query.get(project_id=site._id, mount="tickets")
    ticket = create_ticket(registry, Project.query.get(_id=site._id), tool, {
        "title": "Crash", "description": text, "labels": [], "custom": {}, "ext": {}},
        User.query.get(username=actor), private=private)
    session.close()
    return ticket


def edit(registry, ticket, text, actor="ada"):
    from tools.tracker.actions import update_ticket
    from tools.tracker.model import Ticket
    doc = Ticket.query.get(_id=ticket._id)
    update_ticket(registry, doc, doc.version, {"description": text},
                  User.query.get(username=actor))
    session.close()


def mentions(delivered):
    return {address: [m["Subject"] for m in messages
                      if "mentioned you" in m["Subject"]]
            for address, messages in delivered().items()
            if any("mentioned you" in m["Subject"] for m in messages)}


def test_a_mention_mails_the_person_once(registry, site, delivered_mail):
    new_ticket(registry, site, "@out and @mem, see this. @ada @gone @nobody")
    sent = mentions(delivered_mail)
    # not the actor (ada), not a disabled account, not a name nobody has
    assert sent == {"out@example.test": ["[Demo] ada mentioned you in #1 Crash"],
                    "mem@example.test": ["[Demo] ada mentioned you in #1 Crash"]}


def test_an_edit_tells_only_the_newly_mentioned(registry, site, delivered_mail):
    ticket = new_ticket(registry, site, "cc @out")
    mentions(delivered_mail)
    edit(registry, ticket, "cc @out (typo fixed)")
    assert mentions(delivered_mail) == {}
    edit(registry, ticket, "cc @out and @mem")
    assert list(mentions(delivered_mail)) == ["mem@example.test"]


def test_a_private_ticket_tells_only_who_may_read_it(registry, site, delivered_mail):
    # a private ticket: its reporter and the Developers read it
    new_ticket(registry, site, "@out @mem @dev", private=True)
    assert list(mentions(delivered_mail)) == ["dev@example.test"]


def test_mentions_in_code_are_not_mentions(registry, site, delivered_mail):
    new_ticket(registry, site, "`@out` and\n\n    @mem in a block\n\nmail out@example.test")
    assert mentions(delivered_mail) == {}


def test_a_retried_event_tells_nobody_twice(registry, site, delivered_mail, smtp_server):
    new_ticket(registry, site, "@out")
    assert list(mentions(delivered_mail)) == ["out@example.test"]
    created = collection(OutboxEvent).find_one({"topic": "tracker.ticket.created"})
    notify_mentions(created["message"], SimpleNamespace(registry=registry))
    assert smtp_server.messages == []


def test_a_comment_mention_links_to_the_comment(registry, site, delivered_mail,
                                                forge_app):
    from forge.testing import ForgeBrowser
    new_ticket(registry, site, "no one named here")
    mentions(delivered_mail)
    dev = ForgeBrowser(forge_app)
    dev.login("dev")
    dev.post_form("/p/demo/tickets/1/@@post", {"text": "@out can you check? cc @dev"},
                  status=302)
    sent = delivered_mail()
    told = [m for m in sent.get("out@example.test", []) if "mentioned you" in m["Subject"]]
    assert [m["Subject"] for m in told] == ["[Demo] dev mentioned you in #1 Crash"]
    assert "/p/demo/tickets/1/#post-" in told[0].get_body(("plain",)).get_content()
    assert not any("mentioned you" in m["Subject"] for m in sent.get("dev@example.test", []))


def test_a_comment_without_an_at_sign_costs_no_read(registry, site, delivered_mail,
                                                    forge_app):
    """A new comment's event says whether its text has an "@" at all: without
    one nothing is read; with one the comment is read first, and when it
    mentions nobody nothing else is read (no walk to its artifact, no site
    request); when it does, the people are told."""
    from forge.testing import ForgeBrowser, count_queries
    new_ticket(registry, site, "no one named here")
    mentions(delivered_mail)
    dev = ForgeBrowser(forge_app)
    dev.login("dev")
    for text in ("Plain words.", "Mail me at dev@example.test", "Ask @out"):
        dev.post_form("/p/demo/tickets/1/@@post", {"text": text}, status=302)
    posts = collection(OutboxEvent).find({"topic": "tracker.post.created"}).sort("seq", 1)
    plain, address, asking = [record["message"] for record in posts]
    session.close()
    with count_queries() as reads:
        notify_mentions(plain, SimpleNamespace(registry=registry))
    assert len(reads) == 0
    with count_queries() as reads:
        notify_mentions(address, SimpleNamespace(registry=registry))
    assert len(reads) == 1
    with count_queries() as reads:
        notify_mentions(asking, SimpleNamespace(registry=registry))
    assert len(reads) > 1
    assert list(mentions(delivered_mail)) == ["out@example.test"]


class TestWithoutMail:
    @pytest.fixture
    def forge_settings(self):
        return forge_test_settings()

    def test_in_app_when_no_mail(self, registry, site, run_reactors):
        new_ticket(registry, site, "@out")
        run_reactors()
        out = User.query.get(username="out")
        assert collection(InAppNotification).count_documents({"user_id": out._id}) == 1


def test_the_reactor_takes_batches_and_a_rerun_tells_nobody_twice(registry, site,
                                                                  delivered_mail, smtp_server):
    # a batch (forge.bus.batches): one call for the events fetched together;
    # idempotent, so the worker's one-at-a-time rerun of a failed batch is harmless
    assert notify_mentions.forge_reactor_batching is not None
    new_ticket(registry, site, "@out")
    assert list(mentions(delivered_mail)) == ["out@example.test"]
    records = collection(OutboxEvent).find({"topic": {"$regex": "^tracker\\."}})
    batch = tuple(record["message"] for record in records)
    assert batch
    notify_mentions(batch, SimpleNamespace(registry=registry))
    assert smtp_server.messages == []
