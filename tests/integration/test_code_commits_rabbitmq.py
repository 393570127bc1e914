"""A push of 1,000 commits with the real ``git`` client to a served forge
(waitress in this process, the relay publishing to the real RabbitMQ), the
reactors in ``forge worker`` processes: exactly 1,000 ``scm.commit`` events,
in commit order, and each ``refs``/``fixes #N`` commented on its ticket once,
also when the worker is SIGKILLed in the middle of the stream and another one
takes over the redelivered events.  The workers run only the reactor whose
comments the tests check (``FORGE_WORKER_REACTORS=tracker.commit_refs``):
the other reactors on ``scm.commit`` (search, mail, activity, ...) would be
most of their work, and their queues keep the events meanwhile."""
import collections
import re
import subprocess
import time

import pytest
from kombu import Connection

from forge.actions.tokens import create_token
from forge.bus import amqp
from forge.model.session import session
from forge.testing import served_in_thread

from .conftest import RABBITMQ
from .sites import WAIT, WorkerSite

pytestmark = pytest.mark.integration

PASSWORD = "commits on rabbit 1"
COMMITS = 1000
TICKETS = 4
COMMIT_LINK = re.compile(r"/p/demo/code/commit/([0-9a-f]{40})\)")


class CodeSite(WorkerSite):
    def __init__(self, mongo_url, tmp_path):
        super().__init__(mongo_url, tmp_path, "code", {
            "forge.tools": "tools.code tools.tracker",
            "forge.load_tool_entry_points": "false",
            # the web process and the workers share the repositories and the index
            "forge.repos.path": str(tmp_path / "repos"),
            "forge.search.path": str(tmp_path / "search-index")},
            worker_env={"FORGE_WORKER_REACTORS": "tracker.commit_refs"})
        self.served = served_in_thread(self.app, threads=4, channel_request_lookahead=1)
        self.url = "http://127.0.0.1:%s" % self.served.effective_port

    def close(self):
        self.served.stop()
        super().close()

    def queue_depth(self, reactor_name):
        name = amqp.reactor_queue_name(reactor_name, amqp.namespace(self.registry.settings))
        with Connection(RABBITMQ) as connection:
            return connection.channel().queue_declare(name, passive=True).message_count


@pytest.fixture
def site(mongo_url, tmp_path):
    with CodeSite(mongo_url, tmp_path) as built:
        yield built


@pytest.fixture
def demo(site):
    """ada's project with a repository and tickets #1-#4; her git token."""
    from tools.tracker.actions import create_ticket
    ada, project, (code, tracker) = site.create_demo_project(
        PASSWORD, ("code", "code"), ("tracker", "tickets"))
    for n in range(1, TICKETS + 1):
        create_ticket(site.registry, project, tracker, {"title": "Ticket %d" % n}, ada)
    token = create_token(ada, "git")[1]
    session.close()
    return {"ada": ada, "code": code, "tracker": tracker, "token": token}


def message_of(i):
    """Commit i (1-based): every 20th names a ticket; the last one fixes #1."""
    if i == COMMITS:
        return "Commit %d\n\nfixes #1" % i
    if i % 20 == 0:
        return "Commit %d\n\nrefs #%d" % (i, (i // 20) % TICKETS + 1)
    return "Commit %d" % i


def ticket_of(message):
    match = re.search(r"(?:refs|fixes) #(\d+)", message)
    return int(match.group(1)) if match else None


def make_history(tmp_path):
    """A work tree with COMMITS commits by ada (git fast-import: seconds, not
    minutes); returns (work tree, env, shas oldest first)."""
    work = tmp_path / "work"
    home = tmp_path / "home"
    home.mkdir()
    env = {"PATH": "/usr/bin:/bin:/usr/local/bin", "HOME": str(home),
           "GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
    subprocess.run(["git", "init", "--quiet", "--initial-branch=main", str(work)], env=env,
                   check=True)
    stream = []
    for i in range(1, COMMITS + 1):
        message = message_of(i).encode()
        content = ("line %d\n" % i).encode()
        stream.append(b"commit refs/heads/main\nmark :%d\n" % i)
        stream.append(b"author Ada <ada@example.test> %d +0000\n" % (1_700_000_000 + i))
        stream.append(b"committer Ada <ada@example.test> %d +0000\n" % (1_700_000_000 + i))
        stream.append(b"data %d\n%s\n" % (len(message), message))
        if i > 1:
            stream.append(b"from :%d\n" % (i - 1))
        stream.append(b"M 644 inline file.txt\ndata %d\n%s\n" % (len(content), content))
    subprocess.run(["git", "fast-import", "--quiet"], input=b"".join(stream), cwd=work,
                   env=env, check=True)
    subprocess.run(["git", "checkout", "--quiet", "main"], cwd=work, env=env, check=True)
    shas = subprocess.run(["git", "rev-list", "--reverse", "main"], cwd=work, env=env,
                          check=True, capture_output=True, text=True).stdout.split()
    assert len(shas) == COMMITS
    return work, env, shas


def push(site, demo, work, env):
    scheme, rest = site.url.split("://", 1)
    url = "%s://ada:%s@%s/p/demo/code" % (scheme, demo["token"], rest)
    result = subprocess.run(["git", "push", "--quiet", url, "main"], cwd=work, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr


def expected_comments(shas):
    expected = collections.defaultdict(list)
    for i, sha in enumerate(shas, start=1):
        ticket = ticket_of(message_of(i))
        if ticket is not None:
            expected[ticket].append(sha)
    return {ticket: sorted(found) for ticket, found in expected.items()}


def commented(demo):
    """{ticket number: [commit sha linked by each of its comments]}."""
    db = session.db
    found = {}
    for ticket in db["artifact"].find({"tool_id": demo["tracker"]._id,
                                       "type": "tracker.ticket"}):
        thread = db["thread"].find_one({"ref_id": ticket["_id"]})
        texts = [p.get("text") or "" for p in db["post"].find({"thread_id": thread["_id"]})] \
            if thread else []
        found[ticket["number"]] = sorted(sha for text in texts
                                         for sha in COMMIT_LINK.findall(text))
    return found


def scm_events(demo):
    return [r["message"] for r in session.db["outbox"].find(
        {"topic": "scm.commit", "message.tool_id": demo["code"]._id}).sort("seq", 1)]


def wait_until_done(site, demo, expected):
    """All comments there and the reactor's queue empty, then still the same."""
    def done():
        return commented(demo) == expected and \
            site.queue_depth("tracker.commit_refs") == 0
    site.wait_for("every ticket comment", done)
    time.sleep(2)           # anything still being redelivered would show now
    session.close()


def check_events(demo, shas):
    events = scm_events(demo)
    assert len(events) == COMMITS
    assert [e["detail"]["sha"] for e in events] == shas       # once each, in commit order


def test_a_push_of_1000_commits_gives_1000_events_and_each_comment_once(site, demo, tmp_path):
    work, env, shas = make_history(tmp_path)
    site.start_worker()
    push(site, demo, work, env)
    session.close()
    check_events(demo, shas)
    expected = {n: v for n, v in expected_comments(shas).items()}
    expected.update({n: [] for n in range(1, TICKETS + 1) if n not in expected})
    wait_until_done(site, demo, expected)
    assert commented(demo) == expected
    assert session.db["artifact"].find_one({"tool_id": demo["tracker"]._id,
                                            "number": 1})["closed"]
    assert not session.db["artifact"].find_one({"tool_id": demo["tracker"]._id,
                                                "number": 2})["closed"]


def test_a_worker_killed_mid_stream_leaves_no_comment_twice_and_none_missing(
        site, demo, tmp_path):
    work, env, shas = make_history(tmp_path)
    expected = expected_comments(shas)
    worker = site.start_worker()
    push(site, demo, work, env)
    # kill it once it has commented on some tickets, long before all: looked
    # for often and with one query (running this reactor alone, it is quick)
    total = sum(len(v) for v in expected.values())
    deadline = time.monotonic() + WAIT
    while session.db["post"].count_documents({"text": {"$regex": "/code/commit/"}}) < 3:
        assert time.monotonic() < deadline, "no comment came:\n" + worker.text()
        time.sleep(0.02)
    worker.kill()
    session.close()
    assert sum(len(v) for v in commented(demo).values()) < total, \
        "the worker finished before it was killed: the test proves nothing"
    site.start_worker()
    wait_until_done(site, demo, expected)
    assert commented(demo) == expected
    check_events(demo, shas)
