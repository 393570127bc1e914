"""Auditors before a push is accepted (git's pre-receive hook calling back into
the forge): a refusal reaches the git client, and nothing of the push is kept."""
import os
import subprocess
import sys

import pytest

from forge.model import ToolInstance, session
from forge.model.outbox import OutboxEvent
from forge.testing import forge_test_settings

from tools.code import pre_receive_hook
from tools.code.repository import repository_path

from . import push_policy
from .conftest import MAX_PUSH, with_credentials

REPO = "/p/demo/code"


@pytest.fixture
def forge_settings():
    return forge_test_settings(**{"forge.tools": "tools.code tests.tools.code.push_policy",
                                  "forge.load_tool_entry_points": "false",
                                  "forge.repos.max_push_bytes": str(MAX_PUSH)})


@pytest.fixture(autouse=True)
def clear_seen():
    push_policy.SEEN.clear()
    yield
    push_policy.SEEN.clear()


@pytest.fixture
def dev_url(site, server):
    return with_credentials(server + REPO, "dev", site["tokens"]["dev"])


def commit(git, work, name, message, content=None):
    (work / name).write_text(content if content is not None else message + "\n")
    git("add", name, cwd=work)
    git("commit", "--quiet", "-m", message, cwd=work)
    return git("rev-parse", "HEAD", cwd=work).stdout.strip()


def remote_refs(git, url):
    out = git("ls-remote", url).stdout
    return {ref: sha for sha, ref in (line.split("\t") for line in out.splitlines())}


def objects_in(registry, tool):
    """Every object id stored in the bare repository (loose and packed)."""
    path = repository_path(registry, tool._id)
    out = subprocess.run(["git", "--git-dir", path, "cat-file", "--batch-all-objects",
                          "--batch-check=%(objectname)"], capture_output=True, text=True,
                         check=True).stdout
    return set(out.split())


def protect(tool, *branches):
    doc = ToolInstance.query.get(_id=tool._id)
    doc.options = dict(doc.options or {}, protected_branches=list(branches))
    session.flush()
    session.close()


def scm_commit_count():
    session.close()
    return OutboxEvent.query.find({"topic": "scm.commit"}).count()


def test_the_push_auditors_see_updates_commits_and_the_pusher(site, dev_url, git, work_tree):
    git("push", dev_url, "main", cwd=work_tree)
    (seen,) = push_policy.SEEN
    assert seen["actor"] == "dev" and seen["source"] == "scm"
    assert [u["ref"] for u in seen["updates"]] == ["refs/heads/main"]
    assert seen["updates"][0]["kind"] == "created" and seen["updates"][0]["forced"] is False
    assert [c["subject"] for c in seen["commits"]] == ["First commit", "Add the app"]


def test_a_commit_message_policy_refuses_the_push_and_keeps_nothing(
        site, registry, dev_url, git, work_tree):
    git("push", dev_url, "main", cwd=work_tree)
    before_refs, before_objects = remote_refs(git, dev_url), objects_in(registry, site["tool"])
    events = scm_commit_count()
    commit(git, work_tree, "fine.txt", "A fine change")
    wip = commit(git, work_tree, "wip.txt", "WIP: half done")
    result = git("push", dev_url, "main", cwd=work_tree, check=False)
    assert result.returncode != 0
    assert "remote: push refused: commit %s is marked WIP" % wip[:10] in result.stderr
    assert "pre-receive hook declined" in result.stderr
    assert remote_refs(git, dev_url) == before_refs
    assert objects_in(registry, site["tool"]) == before_objects     # no orphan objects
    assert scm_commit_count() == events
    # the same push without the WIP commit goes through
    git("reset", "--quiet", "--hard", "HEAD~1", cwd=work_tree)
    git("push", dev_url, "main", cwd=work_tree)
    assert scm_commit_count() == events + 1


def test_a_protected_branch_refuses_force_push_and_deletion(site, dev_url, git, work_tree):
    git("push", dev_url, "main", "main:feature", cwd=work_tree)
    protect(site["tool"], "main")
    refs = remote_refs(git, dev_url)
    git("commit", "--quiet", "--amend", "-m", "Rewritten history", cwd=work_tree)
    forced = git("push", "--force", dev_url, "main", cwd=work_tree, check=False)
    assert forced.returncode != 0
    assert "the branch main is protected: it may not be force-pushed" in forced.stderr
    deleted = git("push", dev_url, ":main", cwd=work_tree, check=False)
    assert deleted.returncode != 0
    assert "the branch main is protected: it may not be deleted" in deleted.stderr
    assert remote_refs(git, dev_url) == refs
    # an unprotected branch may be rewritten and deleted; main may move forward
    git("push", "--force", dev_url, "main:feature", cwd=work_tree)
    git("push", dev_url, ":feature", cwd=work_tree)
    git("reset", "--quiet", "--hard", refs["refs/heads/main"], cwd=work_tree)
    commit(git, work_tree, "next.txt", "Next")
    git("push", dev_url, "main", cwd=work_tree)
    assert set(remote_refs(git, dev_url)) == {"HEAD", "refs/heads/main"}


def test_patterns_protect_every_matching_branch(site, dev_url, git, work_tree):
    git("push", dev_url, "main:release/1.0", cwd=work_tree)
    protect(site["tool"], "release/*")
    result = git("push", dev_url, ":release/1.0", cwd=work_tree, check=False)
    assert "the branch release/1.0 is protected" in result.stderr
    assert "refs/heads/release/1.0" in remote_refs(git, dev_url)


def test_one_refused_ref_refuses_the_whole_push(site, dev_url, git, work_tree):
    git("push", dev_url, "main", cwd=work_tree)
    protect(site["tool"], "main")
    refs = remote_refs(git, dev_url)
    git("commit", "--quiet", "--amend", "-m", "Rewritten", cwd=work_tree)
    result = git("push", "--force", dev_url, "main", "main:other", cwd=work_tree, check=False)
    assert result.returncode != 0
    assert remote_refs(git, dev_url) == refs


def test_a_hook_without_the_forge_refuses():
    # the hook is the forge's only: run by hand, without its socket, it says no
    result = subprocess.run([sys.executable, pre_receive_hook.__file__], input="",
                            capture_output=True, text=True, env={"PATH": os.environ["PATH"]})
    assert result.returncode == 1 and "push refused" in result.stderr
