"""Who may clone and push, with the real git client against a running forge:
anonymous / stranger / member / developer / admin × public / private × clone / push.

A refusal reads as the pages' would: a reader without ``push`` is told why (403),
anonymous git is challenged (401, so it asks for credentials), and who may
not read a private repository gets exactly the answer a missing one gives."""
import pytest

from tools.code.repository import repository_path

from .conftest import build_site, with_credentials

REPO = "/p/demo/code"
MISSING = "/p/demo/nothing"
OK, CHALLENGED, FORBIDDEN, NOT_FOUND = "ok", "401", "403", "404"

# who -> (clone, push)
PUBLIC = {None: (OK, CHALLENGED), "out": (OK, FORBIDDEN), "mem": (OK, FORBIDDEN),
          "dev": (OK, OK), "ada": (OK, OK)}
PRIVATE = {None: (CHALLENGED, CHALLENGED), "out": (NOT_FOUND, NOT_FOUND),
           "mem": (OK, FORBIDDEN), "dev": (OK, OK), "ada": (OK, OK)}
CASES = [(private, who, action, table[who][action == "push"])
         for private, table in ((False, PUBLIC), (True, PRIVATE))
         for who in table for action in ("clone", "push")]


def case_id(case):
    private, who, action, expected = case
    return "%s-%s-%s-%s" % ("private" if private else "public", who or "anonymous", action,
                            expected)


@pytest.fixture
def filled_site(request, registry, make_user, make_project, git, work_tree):
    site = build_site(registry, make_user, make_project, private=request.param)
    git("push", "--quiet", repository_path(registry, site["tool"]._id), "main", cwd=work_tree)
    return site


def url_for(server, site, who, path=REPO):
    return with_credentials(server + path, who, site["tokens"][who]) if who else server + path


def run(git, action, url, work_tree, tmp_path, target):
    if action == "clone":
        return git("clone", "--quiet", url, str(tmp_path / target / "clone"), check=False)
    (work_tree / "new.txt").write_text("new\n")
    git("add", "new.txt", cwd=work_tree)
    git("commit", "--quiet", "--allow-empty", "-m", "New", cwd=work_tree)
    return git("push", url, "HEAD:refs/heads/a", cwd=work_tree, check=False)


def outcome(result):
    err = result.stderr
    if result.returncode == 0:
        return OK
    if "could not read Username" in err or "Authentication failed" in err:
        return CHALLENGED
    if "may not push to this repository" in err and "403" in err:
        return FORBIDDEN
    if "not found" in err:
        return NOT_FOUND
    return "unexpected: " + err


@pytest.mark.parametrize("filled_site, who, action, expected",
                         [(c[0], c[1], c[2], c[3]) for c in CASES],
                         ids=[case_id(c) for c in CASES], indirect=["filled_site"])
def test_matrix(filled_site, who, action, expected, server, git, work_tree, tmp_path, registry):
    result = run(git, action, url_for(server, filled_site, who), work_tree, tmp_path, "a")
    assert outcome(result) == expected, result.stderr
    refs = git("ls-remote", repository_path(registry, filled_site["tool"]._id)).stdout
    assert ("refs/heads/a" in refs) == (action == "push" and expected == OK)
    if expected in (CHALLENGED, NOT_FOUND):
        # the same words as for a repository that does not exist: nothing leaks
        missing = run(git, action, url_for(server, filled_site, who, MISSING), work_tree,
                      tmp_path, "b")
        assert missing.returncode != 0
        assert missing.stderr.replace(MISSING, REPO) == result.stderr
