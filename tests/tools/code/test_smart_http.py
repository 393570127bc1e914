"""Clone and push through a real server with the real git client."""
import os
from urllib.parse import quote

import pytest

from forge.model import session
from forge.model.outbox import OutboxEvent
from forge.testing import PASSWORD

from .conftest import MAX_PUSH, with_credentials

REPO = "/p/demo/code"


def push(git, work, url, check=True):
    return git("push", url, "main", cwd=work, check=check)


def test_developer_pushes_with_a_token_and_anyone_clones(site, server, git, work_tree, tmp_path,
                                                         browse):
    url = with_credentials(server + REPO, "dev", site["tokens"]["dev"])
    push(git, work_tree, url)
    for suffix in ("", ".git"):
        clone = tmp_path / ("clone" + suffix)
        git("clone", "--quiet", server + REPO + suffix, str(clone))
        assert (clone / "src" / "app.py").read_text() == "def main():\n    return 42\n"
    page = browse().get(REPO + "/commits")
    assert "Add the app" in page.text and "First commit" in page.text


def test_push_emits_one_scm_commit_event_per_new_commit_in_order(site, server, git, work_tree):
    url = with_credentials(server + REPO, "dev", site["tokens"]["dev"])
    push(git, work_tree, url)
    (work_tree / "more.txt").write_text("more\n")
    git("add", "more.txt", cwd=work_tree)
    git("commit", "--quiet", "-m", "Third", cwd=work_tree)
    push(git, work_tree, url)
    session.close()
    events = [e.message for e in OutboxEvent.query.find({"topic": "scm.commit"}).sort("seq", 1)]
    assert [e["detail"]["subject"] for e in events] == ["First commit", "Add the app", "Third"]
    assert {e["detail"]["ref"] for e in events} == {"refs/heads/main"}
    assert {e["tool_id"] for e in events} == {site["tool"]._id}
    assert {e["actor_id"] for e in events} == {site["dev"]._id}


def test_the_events_of_one_push_name_it(site, server, git, work_tree):
    url = with_credentials(server + REPO, "dev", site["tokens"]["dev"])
    push(git, work_tree, url)
    (work_tree / "more.txt").write_text("more\n")
    git("add", "more.txt", cwd=work_tree)
    git("commit", "--quiet", "-m", "Third", cwd=work_tree)
    push(git, work_tree, url)
    session.close()
    details = [e.message["detail"] for e in
               OutboxEvent.query.find({"topic": "scm.commit"}).sort("seq", 1)]
    pushes = [(d["push_id"], d["push_size"], d["push_index"]) for d in details]
    first, second = details[0]["push_id"], details[2]["push_id"]
    assert first != second
    assert pushes == [(first, 2, 0), (first, 2, 1), (second, 1, 0)]


def test_the_password_works_as_the_basic_password(site, server, git, work_tree):
    push(git, work_tree, with_credentials(server + REPO, "dev", quote(PASSWORD)))
    session.close()
    assert OutboxEvent.query.find({"topic": "scm.commit"}).count() == 2


def test_a_token_with_another_users_name_is_refused(site, server, git, work_tree):
    result = push(git, work_tree, with_credentials(server + REPO, "ada", site["tokens"]["dev"]),
                  check=False)
    assert result.returncode != 0 and "Authentication failed" in result.stderr


def test_member_may_not_push_and_is_told_why(site, server, git, work_tree):
    result = push(git, work_tree, with_credentials(server + REPO, "mem", site["tokens"]["mem"]),
                  check=False)
    assert result.returncode != 0
    assert "mem may not push to this repository" in result.stderr


def test_anonymous_push_is_asked_for_credentials(site, server, git, work_tree):
    result = push(git, work_tree, server + REPO, check=False)
    assert result.returncode != 0
    assert "401" in result.stderr or "Authentication failed" in result.stderr \
        or "could not read Username" in result.stderr


def test_a_push_larger_than_a_form_body_may_be_is_streamed_through(site, server, git,
                                                                   work_tree, tmp_path):
    data = os.urandom(MAX_PUSH - 400_000)         # 1.6 MiB: over forge.max_body_bytes
    (work_tree / "data.bin").write_bytes(data)
    git("add", "data.bin", cwd=work_tree)
    git("commit", "--quiet", "-m", "Data", cwd=work_tree)
    push(git, work_tree, with_credentials(server + REPO, "dev", site["tokens"]["dev"]))
    git("clone", "--quiet", server + REPO, str(tmp_path / "clone"))
    assert (tmp_path / "clone" / "data.bin").read_bytes() == data


@pytest.mark.parametrize("post_buffer", ["1048576", "65536"], ids=["length", "chunked"])
def test_a_push_over_the_limit_is_refused_with_the_message(site, server, git, work_tree,
                                                           post_buffer):
    (work_tree / "big.bin").write_bytes(os.urandom(MAX_PUSH + 50_000))
    git("add", "big.bin", cwd=work_tree)
    git("commit", "--quiet", "-m", "Big", cwd=work_tree)
    url = with_credentials(server + REPO, "dev", site["tokens"]["dev"])
    # a pack larger than http.postBuffer goes without Content-Length (chunked)
    result = git("-c", "http.postBuffer=" + post_buffer, "push", url, "main", cwd=work_tree,
                 check=False)
    assert result.returncode != 0
    assert "larger than this forge accepts" in result.stderr
    session.close()
    assert OutboxEvent.query.find({"topic": "scm.commit"}).count() == 0
    assert "main" not in git("ls-remote", server + REPO).stdout
