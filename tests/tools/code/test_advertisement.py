"""The protocol v2 advertisement kept per repository (tools/code/advertisement.py):
byte for byte git's, served again without git while nothing it depends on
changed, never where git would not have been run; protocol v0 always runs git."""
import os
import subprocess

import pytest

from forge.actions.tokens import revoke_token
from forge.model import ApiToken, User, session
from tools.code import smart_http
from tools.code.repository import repository_path

from .test_bad_input import basic

REPO = "/p/demo/code"
INFO_REFS = REPO + "/info/refs?service=git-upload-pack"
V2 = {"Git-Protocol": "version=2"}


@pytest.fixture
def git_runs(monkeypatch):
    """The ``git http-backend`` processes started (their environments)."""
    started = []
    original = smart_http.subprocess.Popen

    def counting(args, *rest, **kw):
        if list(args[:2]) == ["git", "http-backend"] and "BY_HAND" not in (kw.get("env") or {}):
            started.append(kw.get("env"))
        return original(args, *rest, **kw)
    monkeypatch.setattr(smart_http.subprocess, "Popen", counting)
    return started


def direct_answer(registry, tool_id, protocol="version=2"):
    """(headers, body) of ``git http-backend`` run by hand as a CGI."""
    root, name = os.path.split(repository_path(registry, tool_id))
    env = {"PATH": os.environ["PATH"], "GIT_CONFIG_NOSYSTEM": "1", "LC_ALL": "C",
           "HOME": os.environ.get("HOME", "/nonexistent"), "GIT_PROJECT_ROOT": root,
           "GIT_HTTP_EXPORT_ALL": "1", "PATH_INFO": "/%s/info/refs" % name,
           "REQUEST_METHOD": "GET", "QUERY_STRING": "service=git-upload-pack",
           "GATEWAY_INTERFACE": "CGI/1.1", "HTTP_GIT_PROTOCOL": protocol, "BY_HAND": "1"}
    out = subprocess.run(["git", "http-backend"], env=env, capture_output=True,
                         check=True).stdout
    head, _, body = out.partition(b"\r\n\r\n")
    headers = dict(line.split(": ", 1) for line in head.decode("latin-1").split("\r\n"))
    return headers, body


def test_the_kept_answer_is_gits_and_no_git_runs_for_it(site, browse, registry, git_runs):
    anonymous = browse()
    first = anonymous.get(INFO_REFS, headers=V2, status=200)
    second = anonymous.get(INFO_REFS, headers=V2, status=200)
    assert len(git_runs) == 1
    headers, body = direct_answer(registry, site["tool"]._id)
    assert body.startswith(b"000eversion 2\n") and b"ls-refs" in body
    for response in (first, second):
        assert response.body == body
        for name, value in headers.items():
            assert response.headers[name] == value


def test_a_configuration_change_runs_git_again(site, browse, registry, git_runs):
    anonymous = browse()
    before = anonymous.get(INFO_REFS, headers=V2, status=200).body
    assert b"filter" not in before
    path = repository_path(registry, site["tool"]._id)
    subprocess.run(["git", "--git-dir", path, "config", "uploadpack.allowFilter", "true"],
                   check=True)
    after = anonymous.get(INFO_REFS, headers=V2, status=200).body
    assert after == direct_answer(registry, site["tool"]._id)[1]
    assert b"filter" in after and len(git_runs) == 2
    anonymous.get(INFO_REFS, headers=V2, status=200)
    assert len(git_runs) == 2


def test_a_configuration_that_includes_a_file_is_never_kept(site, browse, registry, git_runs,
                                                             tmp_path):
    included = tmp_path / "included"
    included.write_text("[uploadpack]\n\tallowFilter = true\n")
    path = repository_path(registry, site["tool"]._id)
    subprocess.run(["git", "--git-dir", path, "config", "include.path", str(included)],
                   check=True)
    anonymous = browse()
    assert b"filter" in anonymous.get(INFO_REFS, headers=V2, status=200).body
    included.write_text("")
    assert b"filter" not in anonymous.get(INFO_REFS, headers=V2, status=200).body
    assert len(git_runs) == 2


def test_protocol_v0_lists_the_refs_from_git_every_time(site, browse, registry, git, work_tree,
                                                         git_runs):
    path = repository_path(registry, site["tool"]._id)
    git("push", "--quiet", path, "main", cwd=work_tree)
    anonymous = browse()
    first = anonymous.get(INFO_REFS, status=200).body
    git("commit", "--quiet", "--allow-empty", "-m", "More", cwd=work_tree)
    git("push", "--quiet", path, "main", cwd=work_tree)
    second = anonymous.get(INFO_REFS, status=200).body
    head = git("rev-parse", "main", cwd=work_tree).stdout.strip().encode()
    assert first.startswith(b"001e# service=git-upload-pack\n") and head not in first
    assert head in second and len(git_runs) == 2
    assert second == direct_answer(registry, site["tool"]._id, protocol="")[1]


def test_a_kept_answer_is_served_only_to_who_may_read(private_site, browse, git_runs):
    reader = basic("mem", private_site["tokens"]["mem"])
    browse().get(INFO_REFS, headers=dict(V2, **reader), status=200)
    browse().get(INFO_REFS, headers=V2, status=401)
    stranger = browse().get(INFO_REFS, headers=dict(V2, **basic(
        "out", private_site["tokens"]["out"])), status=404)
    assert b"version 2" not in stranger.body
    assert len(git_runs) == 1


def test_a_revoked_token_stops_at_once_though_its_record_was_kept(private_site, browse):
    # the forge tween keeps token records per content generation (forge/actions/tokens.py)
    headers = dict(V2, **basic("mem", private_site["tokens"]["mem"]))
    browse().get(INFO_REFS, headers=headers, status=200)
    browse().get(INFO_REFS, headers=headers, status=200)
    session.close()
    mem = User.query.get(username="mem")
    revoke_token(mem, ApiToken.query.get(user_id=mem._id)._id)
    session.close()
    refused = browse().get(INFO_REFS, headers=headers, status=401)
    assert "revoked" in refused.text
