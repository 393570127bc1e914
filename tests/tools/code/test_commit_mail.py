"""Watchers of a repository get one message per push (real git push, real SMTP
sink on 127.0.0.1), never the pusher, never someone who may not read it."""
from types import SimpleNamespace

import pytest

from forge.actions.roles import add_member, role_named
from forge.bus.registry import freeze
from forge.model import OutboxEvent, User
from forge.model.session import collection, session
from forge.notifications.watches import add_watch, set_frequency
from forge.testing import forge_test_settings, smtp_settings
from tools.code.commit_mail import mail_push, push_of

from .conftest import MAX_PUSH, with_credentials

REPO = "/p/demo/code"


@pytest.fixture
def forge_settings(smtp_server):
    return forge_test_settings(**smtp_settings(smtp_server), **{
        "forge.tools": "tools.code", "forge.load_tool_entry_points": "false",
        "forge.repos.max_push_bytes": str(MAX_PUSH),
        # a failed send is retried after 50 ms, so run_reactors waits for it
        "forge.bus.retry_base_seconds": "0.05", "forge.bus.retry_max_seconds": "0.1"})


def watch(people, name, kind="tool"):
    doc = people["tool"] if kind == "tool" else people["project"]
    add_watch(people[name]._id, kind, doc)
    session.flush()
    session.close()


def push(git, server, site, work_tree, user="dev", ref="main"):
    git("push", with_credentials(server + REPO, user, site["tokens"][user]), ref, cwd=work_tree)


def scm_events():
    session.close()
    return [r["message"] for r in
            collection(OutboxEvent).find({"topic": "scm.commit"}).sort("seq", 1)]


def pushes(events):
    return {push_of(freeze(event))[0] for event in events}


def test_watchers_of_the_repository_and_project_are_mailed_not_the_pusher(
        site, server, git, work_tree, smtp_server, run_reactors):
    watch(site, "mem")
    watch(site, "ada", kind="project")
    watch(site, "dev")
    push(git, server, site, work_tree)
    run_reactors()
    events = scm_events()
    assert len(events) == 2
    for name in ("mem", "ada"):
        mails = smtp_server.to("%s@example.test" % name)
        # one per push: the events name their push (one each while they carry no push_id)
        assert len(mails) == len(pushes(events)), name
        text = "\n".join(m.get_content() for m in mails)
        assert "Add the app" in text and "First commit" in text
        assert "/p/demo/code/commit/" in text
        assert all(m["List-Unsubscribe"] and "[Demo] Code:" in m["Subject"] for m in mails)
    assert smtp_server.to("dev@example.test") == []


def test_one_message_per_push_listing_its_commits_in_order_once(
        site, server, git, work_tree, smtp_server, registry):
    """Events that name their push (push_id, push_size, push_index) are
    gathered: the message goes when the last of them arrives, in any order."""
    watch(site, "mem")
    push(git, server, site, work_tree)
    events = scm_events()
    for index, event in enumerate(events):
        event["detail"].update(push_id="p1", push_size=len(events), push_index=index)
    deliver(registry, reversed(events))
    deliver(registry, events)                   # the bus delivering them all again
    [mail] = smtp_server.to("mem@example.test")
    assert "2 new commits on main by dev" in mail["Subject"]
    text = mail.get_content()
    assert text.index("First commit") < text.index("Add the app")
    assert "dev pushed 2 commits to Demo › Code (main)" in text


def test_a_failed_send_is_retried_without_mailing_anyone_twice(
        site, server, git, work_tree, smtp_server, run_reactors):
    watch(site, "mem")
    watch(site, "ada")
    smtp_server.fail_next = 1
    push(git, server, site, work_tree)
    run_reactors()
    events = scm_events()
    assert len(smtp_server.to("mem@example.test")) == len(pushes(events))
    assert len(smtp_server.to("ada@example.test")) == len(pushes(events))


def test_who_may_not_read_or_chose_no_mail_gets_none(
        private_site, server, git, work_tree, smtp_server, run_reactors, registry):
    site = private_site
    watch(site, "out", kind="project")          # a watch kept from before it went private
    watch(site, "mem")
    watch(site, "ada")
    set_frequency(registry, User.query.get(_id=site["ada"]._id), "digest")
    session.close()
    push(git, server, site, work_tree)
    run_reactors()
    assert smtp_server.to("out@example.test") == []
    assert smtp_server.to("ada@example.test") == []
    assert len(smtp_server.to("mem@example.test")) == len(pushes(scm_events()))


def test_a_new_member_watching_after_the_push_is_not_mailed_about_it(
        site, server, git, work_tree, smtp_server, run_reactors, registry, make_user):
    push(git, server, site, work_tree)
    late = make_user("late")
    add_member(registry, site["project"], role_named(site["project"], "Member"), late,
               site["ada"])
    site["late"] = late
    watch(site, "late")
    run_reactors()
    assert smtp_server.to("late@example.test") == []


def deliver(registry, events):
    context = SimpleNamespace(registry=registry, settings=registry.settings, attempt=1)
    for event in events:
        session.close()
        mail_push(freeze(event), context)
        session.flush()
    session.close()


def test_a_mailed_push_leaves_no_gathered_commits_and_old_marks_are_pruned(
        site, server, git, work_tree, smtp_server, run_reactors, registry):
    from tools.code.commit_mail import PushedCommit, PushMailSent, maybe_prune, \
        prune_push_records
    watch(site, "mem")
    push(git, server, site, work_tree)
    run_reactors()
    assert len(smtp_server.to("mem@example.test")) == len(pushes(scm_events()))
    assert collection(PushedCommit).count_documents({}) == 0
    [mark] = list(collection(PushMailSent).find())
    # a half-gathered push (an event lost for good) and the mark age out
    collection(PushedCommit).insert_one({"_id": "old:x", "push": "old", "timestamp": 100.0})
    collection(PushedCommit).insert_one({"_id": "new:x", "push": "new",
                                         "timestamp": mark["timestamp"]})
    assert prune_push_records(86400.0, now=mark["timestamp"] + 3600) == (1, 0)
    assert prune_push_records(86400.0, now=mark["timestamp"] + 2 * 86400) == (1, 1)
    registry.code_push_records_pruned_at = -1e18
    assert maybe_prune(registry) == (0, 0)
    assert maybe_prune(registry) is None            # at most once an hour


def test_a_digest_reader_gets_the_push_as_one_item_of_the_digest(
        site, server, git, work_tree, smtp_server, run_reactors, registry):
    from forge.notifications.digest import send_digests
    from forge.notifications.model import DigestItem
    watch(site, "mem")
    set_frequency(registry, User.query.get(_id=site["mem"]._id), "digest")
    session.close()
    push(git, server, site, work_tree)
    run_reactors()
    assert smtp_server.to("mem@example.test") == []
    deliver(registry, scm_events())                 # the bus delivering them all again
    [item] = list(collection(DigestItem).find({"user_id": site["mem"]._id}))
    assert item["event"]["detail"]["summary"] == "2 new commits on main by dev"
    send_digests(registry, "2026-12-01")
    [mail] = smtp_server.to("mem@example.test")
    text = mail.get_content()
    assert "Code: 2 new commits on main by dev" in text
    assert "First commit; Add the app" in text and "/p/demo/code" in text
