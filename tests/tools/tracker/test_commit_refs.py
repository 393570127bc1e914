"""The tracker's reactor on ``scm.commit``: ``fixes #N`` / ``refs #N`` pushed with
the real git client to a served forge (memory:// bus) comment on and close
tickets, once, as the linked user or as an unlinked author."""
import subprocess
from types import SimpleNamespace

import pytest

from forge.actions.projects import install_tool
from forge.actions.roles import add_member, role_named
from forge.actions.tokens import create_token
from forge.api import Post, thread_for
from forge.bus.registry import freeze
from forge.model import OutboxEvent, session
from forge.model.session import collection
from forge.testing import ForgeBrowser, forge_test_settings, served_in_thread
from tools.tracker.actions import create_ticket
from tools.tracker.commit_refs import CommitReference, on_commit, parse_refs
from tools.tracker.model import Ticket


@pytest.fixture
def forge_settings():
    return forge_test_settings(**{"forge.tools": "tools.code tools.tracker",
                                  "forge.load_tool_entry_points": "false"})


@pytest.fixture
def site(registry, make_user, make_project):
    """ada admins demo (code at /p/demo/code, tickets at /p/demo/tickets, tickets
    #1-#3); dev is a Developer, mem a Member; ada also admins "other" (tickets #1)."""
    ada = make_user("ada")
    project = make_project("demo", ada)
    people = {"ada": ada, "project": project}
    for name, role in (("dev", "Developer"), ("mem", "Member")):
        people[name] = make_user(name)
        add_member(registry, project, role_named(project, role), people[name], ada)
    people["code"] = install_tool(registry, project, "code", "code", ada)
    people["tracker"] = install_tool(registry, project, "tracker", "tickets", ada)
    for n in (1, 2, 3):
        create_ticket(registry, project, people["tracker"], {"title": "Bug %d" % n}, ada)
    secret = make_project("secret", ada, private=True)
    add_member(registry, secret, role_named(secret, "Developer"), people["dev"], ada)
    install_tool(registry, secret, "code", "code", ada)
    other = make_project("other", ada)
    people["other_tracker"] = install_tool(registry, other, "tracker", "tickets", ada)
    create_ticket(registry, other, people["other_tracker"], {"title": "Elsewhere"}, ada)
    people["tokens"] = {name: create_token(people[name], "git")[1]
                        for name in ("ada", "dev")}
    session.close()
    return people


@pytest.fixture
def server(forge_app):
    with served_in_thread(forge_app, threads=4, channel_request_lookahead=1) as httpd:
        yield "http://127.0.0.1:%s" % httpd.effective_port


@pytest.fixture
def repo(tmp_path, server, site):
    """A local work tree; ``repo.commit(message, email=, name=)`` and
    ``repo.push(user, *refs)``."""
    work = tmp_path / "work"
    home = tmp_path / "home"
    home.mkdir()
    env = {"PATH": "/usr/bin:/bin:/usr/local/bin", "HOME": str(home),
           "GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}

    def git(*args, **extra):
        result = subprocess.run(["git", *args], cwd=work, env=dict(env, **extra), text=True,
                                capture_output=True, timeout=60)
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    subprocess.run(["git", "init", "--quiet", "--initial-branch=main", str(work)], env=env,
                   check=True)
    counter = iter(range(10_000))

    def commit(message, email="dev@example.test", name="Dev Eloper", committer_email=None):
        (work / "file.txt").write_text("change %d\n" % next(counter))
        git("add", "file.txt")
        who = {"GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email,
               "GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": committer_email or email}
        git("commit", "--quiet", "-m", message, **who)
        return git("rev-parse", "HEAD").strip()

    def push(user, *refs, repository="/p/demo/code"):
        scheme, rest = server.split("://", 1)
        url = "%s://%s:%s@%s%s" % (scheme, user, site["tokens"][user], rest, repository)
        git("push", "--quiet", url, *(refs or ("main",)))

    return SimpleNamespace(git=git, commit=commit, push=push, path=work)


def ticket(tracker, number):
    session.close()
    return Ticket.query.get(tool_id=tracker._id, number=number)


def comments(ticket_doc):
    thread = thread_for(ticket_doc)
    if thread is None:
        return []
    return list(collection(Post).find({"thread_id": thread._id}).sort("slug", 1))


# -- the message syntax ------------------------------------------------------

@pytest.mark.parametrize("message, expected", [
    ("fixes #12", [(None, None, 12, "fixed")]),
    ("Closes #3", [(None, None, 3, "closed")]),
    ("refs #4", [(None, None, 4, None)]),
    ("Fix login\n\nFixes: #1, #2 and #3", [(None, None, 1, "fixed"), (None, None, 2, "fixed"),
                                           (None, None, 3, "fixed")]),
    ("fixes [tickets:#12]", [(None, "tickets", 12, "fixed")]),
    ("closes bugs:#5", [(None, "bugs", 5, "closed")]),
    ("refs other:tickets:#7", [("other", "tickets", 7, None)]),
    ("refs team/sub:tickets:#7", [("team/sub", "tickets", 7, None)]),
    ("refs #2, then fixes #2", [(None, None, 2, "fixed")]),
    ("#12 alone, bugfixes #9, prefixes #3, fixes#2", []),
    ("fixes #12345678901", []),
    ("", []),
])
def test_the_references_a_message_makes(message, expected):
    assert [(r.project, r.mount, r.number, r.status_word)
            for r in parse_refs(message)] == expected


# -- pushed commits ------------------------------------------------------------

def test_fixes_on_the_default_branch_comments_and_closes_as_the_linked_user(
        site, repo, run_reactors):
    sha = repo.commit("Repair the parser\n\nfixes #1, refs #2")
    repo.push("dev")
    run_reactors()
    one, two = ticket(site["tracker"], 1), ticket(site["tracker"], 2)
    assert one.closed and one.status in ("closed", "fixed")
    assert not two.closed
    [comment] = comments(one)
    assert comment["author_id"] == site["dev"]._id
    assert comment["status"] == "ok"
    assert "/p/demo/code/commit/%s" % sha in comment["text"]
    assert "Repair the parser" in comment["text"]
    [ref_comment] = comments(two)
    assert ref_comment["text"].startswith("Referenced in commit")


def test_a_redelivered_event_adds_no_second_comment(site, repo, run_reactors, registry):
    repo.commit("fixes #1")
    repo.push("dev")
    run_reactors()
    events = scm_events()
    assert len(events) == 1
    redeliver(registry, events)     # the bus delivering them all again
    # a worker killed after the comment's flush, before it recorded it
    assert collection(CommitReference).delete_many({}).deleted_count == 1
    redeliver(registry, events)
    assert len(comments(ticket(site["tracker"], 1))) == 1


def test_a_ticket_reopened_after_its_fix_is_not_closed_again_by_a_redelivery(
        site, repo, run_reactors, registry):
    from tools.tracker.actions import set_status
    repo.commit("closes #3")
    repo.push("dev")
    run_reactors()
    closed = ticket(site["tracker"], 3)
    assert closed.closed
    set_status(registry, closed, closed.version, "open", site["ada"])
    redeliver(registry, scm_events())
    assert not ticket(site["tracker"], 3).closed


def test_an_unknown_author_is_shown_by_name_and_acts_with_the_pushers_rights(
        site, repo, run_reactors):
    repo.commit("fixes #2", email="stranger@elsewhere.test", name="Grace *Hopper*")
    repo.push("dev")
    run_reactors()
    two = ticket(site["tracker"], 2)
    [comment] = comments(two)
    assert comment["author_id"] is None
    assert "Grace \\*Hopper\\* (not a forge user)" in comment["text"]
    assert two.closed


def test_a_patch_committed_by_a_user_acts_as_them_and_names_its_author(
        site, repo, run_reactors):
    repo.commit("fixes #2", email="grace@elsewhere.test", name="Grace Hopper",
                committer_email="dev@example.test")
    repo.push("ada")
    run_reactors()
    two = ticket(site["tracker"], 2)
    [comment] = comments(two)
    assert comment["author_id"] == site["dev"]._id
    assert "by Grace Hopper (not a forge user)" in comment["text"]
    assert two.closed


def test_a_committer_who_may_not_update_changes_nothing(site, repo, run_reactors):
    # mem may not update tickets; the author is nobody, the pusher could
    repo.commit("fixes #2", email="grace@elsewhere.test", name="Grace Hopper",
                committer_email="mem@example.test")
    repo.push("dev")
    run_reactors()
    two = ticket(site["tracker"], 2)
    assert comments(two) == [] and not two.closed


def test_fixes_on_another_branch_comments_without_closing(site, repo, run_reactors):
    repo.commit("Start")
    repo.push("dev")
    repo.git("checkout", "--quiet", "-b", "feature")
    repo.commit("fixes #1 on the side")
    repo.push("dev", "feature")
    run_reactors()
    one = ticket(site["tracker"], 1)
    assert not one.closed
    [comment] = comments(one)
    assert "on `feature`" in comment["text"]


def test_a_linked_user_who_may_not_update_the_ticket_changes_nothing(site, repo, run_reactors):
    # mem (a Member) is the author; dev pushes: the author's rights decide
    repo.commit("fixes #1", email="mem@example.test", name="Mem Ber")
    repo.push("dev")
    run_reactors()
    one = ticket(site["tracker"], 1)
    assert not one.closed and comments(one) == []


def test_tickets_of_another_project_need_rights_there(site, repo, run_reactors):
    repo.commit("refs other:tickets:#1 (dev is nobody there)")
    repo.commit("fixes other:tickets:#1", email="ada@example.test", name="Ada")
    repo.push("dev")
    run_reactors()
    elsewhere = ticket(site["other_tracker"], 1)
    [comment] = comments(elsewhere)
    assert comment["author_id"] == site["ada"]._id
    assert elsewhere.closed


def test_a_private_repositorys_commit_is_not_quoted_on_a_public_ticket(site, repo,
                                                                        run_reactors):
    sha = repo.commit("Secret plan X\n\nfixes demo:tickets:#2", name="Agent Smith")
    repo.push("dev", repository="/p/secret/code")
    run_reactors()
    two = ticket(site["tracker"], 2)
    [comment] = comments(two)
    assert two.closed
    assert "/p/secret/code/commit/%s" % sha in comment["text"]
    assert "Secret plan" not in comment["text"] and "main" not in comment["text"]
    assert "not quoted" in comment["text"]


def test_a_locked_discussion_takes_no_comment_but_the_ticket_still_closes(
        site, repo, run_reactors, registry):
    from forge.api import set_thread_locked
    one = ticket(site["tracker"], 1)
    set_thread_locked(registry, thread_for(one, create=True, tool_type="tracker"), True,
                      site["ada"])
    session.close()
    repo.commit("fixes #1")
    repo.push("dev")
    run_reactors()
    one = ticket(site["tracker"], 1)
    assert one.closed and comments(one) == []
    assert collection(CommitReference).find_one({"ticket_id": one._id})["post_id"] == "refused"


def test_missing_tickets_and_trackers_are_ignored(site, repo, run_reactors):
    repo.commit("fixes #99, refs nowhere:#1, refs ghost:tickets:#1")
    repo.push("dev")
    assert run_reactors() > 0
    for n in (1, 2, 3):
        assert comments(ticket(site["tracker"], n)) == []


def test_the_comment_shows_on_the_ticket_page_with_the_commit_link(site, repo, run_reactors,
                                                                   forge_app):
    sha = repo.commit("Escape <script>alert(1)</script> in titles\n\nfixes #1")
    repo.push("dev")
    run_reactors()
    page = ForgeBrowser(forge_app).get("/p/demo/tickets/1/")
    link = page.html.find("a", href="/p/demo/code/commit/%s" % sha)
    assert link is not None and link.text == sha[:10]
    assert "<script>alert(1)</script>" not in page.text


def redeliver(registry, events):
    """Run the reactor on each event as a worker does (a fresh session each)."""
    context = SimpleNamespace(registry=registry, settings=registry.settings, attempt=2)
    for event in events:
        session.close()
        on_commit(freeze(event), context)
        session.flush()
    session.close()


def scm_events():
    session.close()
    return [record["message"] for record in
            collection(OutboxEvent).find({"topic": "scm.commit"}).sort("seq", 1)]


def test_old_commit_references_are_pruned_and_a_new_push_of_the_commit_comments_once(
        site, repo, run_reactors, registry):
    from tools.tracker.commit_refs import maybe_prune, prune_commit_references
    repo.commit("refs #1")
    repo.push("dev")
    run_reactors()
    [mark] = list(collection(CommitReference).find())
    assert prune_commit_references(86400.0, now=mark["created"] + 3600) == 0
    assert prune_commit_references(86400.0, now=mark["created"] + 2 * 86400) == 1
    redeliver(registry, scm_events())       # found again by the commit's link
    assert len(comments(ticket(site["tracker"], 1))) == 1
    registry.tracker_commit_refs_pruned_at = -1e18
    assert maybe_prune(registry) == 0       # the redelivery's record is new
    assert maybe_prune(registry) is None    # at most once an hour
