"""The XSS corpus (``forge.testing.XSS_CORPUS``) in file and directory names,
commit messages, author names and e-mails, branch and tag names, through every
browsing page (home, tree, file, log, commit, branches, compare, blame) and the
settings page: each page stays inert (``assert_inert``)."""
import os
import re
import subprocess
from urllib.parse import quote

import pytest

from forge.testing import XSS_CORPUS, assert_inert

from tools.code.repository import repository_path

REPO = "/p/demo/code"
BAD_REF_CHARS = re.compile(r"[\s~^:?*\[\\\x00-\x1f\x7f]|\.\.|@\{")


def as_file_name(payload):
    return payload.replace("/", "_")


def as_ref_name(payload):
    """The payload as a valid ref name (``git check-ref-format``): "<", ">", quotes stay."""
    name = BAD_REF_CHARS.sub("_", payload).strip("/.").replace("/.", "/_")
    name = "/".join(part.rstrip(".") or "_" for part in name.split("/"))
    return name[:-5] + "_lock" if name.endswith(".lock") else name


def run(work, *args, stdin=None, env=None):
    return subprocess.run(["git", *args], cwd=work, input=stdin, capture_output=True,
                          check=True, text=True, env=env).stdout.strip()


@pytest.fixture
def hostile(site, registry, git, work_tree, tmp_path):
    """A repository whose every name and message is a payload; returns
    (branches, tags, commit ids, file names)."""
    env = dict(git_env_of(tmp_path))
    files = []
    for i, payload in enumerate(XSS_CORPUS):
        name = as_file_name(payload)
        (work_tree / name).write_text(payload + "\n")
        files.append(name)
        run(work_tree, "add", "--", name, env=env)
        run(work_tree, "commit", "--quiet", "-m", "%s\n\n%s body %d" % (payload, payload, i),
            env=env)
    nested = work_tree / "<svg onload=alert('dir')>" / "<img src=x onerror=alert('f')>"
    nested.parent.mkdir()
    nested.write_text("x\n")
    run(work_tree, "add", ".", env=env)
    run(work_tree, "commit", "--quiet", "-m", "nested", env=env)
    # authors git would clean ("<", ">" are not allowed in a name): a commit made by hand
    head = run(work_tree, "rev-parse", "HEAD", env=env)
    tree = run(work_tree, "rev-parse", "HEAD^{tree}", env=env)
    for payload in XSS_CORPUS:
        ident = "%s <%s@example.test> 1700000000 +0000" % (payload, payload.replace(">", ""))
        body = "tree %s\nparent %s\nauthor %s\ncommitter %s\n\n%s\n" % (
            tree, head, ident, ident, payload)
        head = run(work_tree, "hash-object", "-t", "commit", "-w", "--literally", "--stdin",
                   stdin=body, env=env)
    run(work_tree, "update-ref", "refs/heads/main", head, env=env)
    branches, tags = [], []
    for i, payload in enumerate(XSS_CORPUS):
        ref = as_ref_name(payload)
        assert subprocess.run(["git", "check-ref-format", "refs/heads/" + ref]).returncode == 0, ref
        run(work_tree, "branch", "-f", "--", ref, "HEAD~%d" % (i % 3), env=env)
        run(work_tree, "tag", "-a", "-m", payload, "--", "t%d-%s" % (i, ref), env=env)
        branches.append(ref)
        tags.append("t%d-%s" % (i, ref))
    bare = repository_path(registry, site["tool"]._id)
    git("push", "--quiet", bare, "--all", cwd=work_tree)
    git("push", "--quiet", bare, "--tags", cwd=work_tree)
    shas = run(work_tree, "rev-list", "main", env=env).split()
    return branches, tags, shas, files


def git_env_of(tmp_path):
    return {"PATH": os.environ["PATH"], "HOME": str(tmp_path / "home"),
            "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "A", "GIT_AUTHOR_EMAIL": "a@x.test",
            "GIT_COMMITTER_NAME": "A", "GIT_COMMITTER_EMAIL": "a@x.test"}


def url(*segments):
    return REPO + "/" + "/".join(quote(s, safe="") for s in segments)


def pages(hostile):
    branches, tags, shas, files = hostile
    yield REPO + "/"
    yield url("commits")
    yield url("commits", "main") + "?page=2"
    for name in files:
        yield url("blob", "main", name)
        yield url("commits", "main", name)
    yield url("tree", "main", "<svg onload=alert('dir')>")
    yield url("blob", "main", "<svg onload=alert('dir')>", "<img src=x onerror=alert('f')>")
    for sha in shas:
        yield url("commit", sha)
    for ref in branches + tags:
        yield REPO + "/tree/" + "/".join(quote(s, safe="") for s in ref.split("/"))
    yield url("branches")
    yield url("compare")
    for ref in branches:
        yield REPO + "/compare/" + "/".join(quote(s, safe="") for s in (
            shas[-1] + "..." + ref).split("/"))
    for name in files:
        yield url("blame", "main", name)


def test_every_browsing_page_is_inert(hostile, browse):
    b = browse("ada")
    seen = 0
    for page in pages(hostile):
        response = b.get(page, expect_errors=True)
        assert response.status_int < 500, (page, response.status)
        if response.content_type == "text/html":
            assert_inert(response.text, page)
            seen += response.status_int == 200
    assert seen > 70
    assert_inert(b.get(REPO + "/@@admin").text, "@@admin")


def test_payloads_are_shown_as_text(hostile, browse):
    b = browse()
    _branches, _tags, shas, files = hostile
    commit = b.get(url("commit", shas[-3])).html    # after the two of work_tree
    assert commit.find(id="commit-subject").text == XSS_CORPUS[0]
    home = b.get(REPO + "/")
    assert files[0] in home.html.find(id="tree").text


def test_raw_files_never_run(hostile, browse):
    _branches, _tags, _shas, files = hostile
    for name in files[:3]:
        raw = browse().get(url("raw", "main", name))
        assert raw.content_type == "text/plain"
        assert raw.headers["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in raw.headers["Content-Security-Policy"]
