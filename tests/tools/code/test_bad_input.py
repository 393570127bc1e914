"""Bad input to the git endpoints and the browsing pages: malformed packs, cut
bodies, unknown services, traversal in refs and paths, invalid ref names, an
interrupted push.  Each is a clear 4xx or a git error the client prints,
never a 5xx, and no ref moves and no object of it is kept."""
import base64
import io
import os
import signal
import subprocess
import time

import pytest
from webob.request import Request

from tools.code.repository import Repository, repository_path

from .conftest import with_credentials

REPO = "/p/demo/code"
ZERO = "0" * 40
RECEIVE = "application/x-git-receive-pack-request"


def pkt(data):
    return b"%04x" % (len(data) + 4) + data


def receive_body(commands, pack=b"", capabilities=b"report-status side-band-64k"):
    lines = b""
    for i, (old, new, ref) in enumerate(commands):
        line = ("%s %s %s" % (old, new, ref)).encode()
        lines += pkt(line + (b"\x00" + capabilities if i == 0 else b"") + b"\n")
    return lines + b"0000" + pack


def basic(user, token):
    return {"Authorization": "Basic " + base64.b64encode(
        ("%s:%s" % (user, token)).encode()).decode()}


def pack_of(git, work, *revs):
    """A pack of the commits ``revs`` bring (``git pack-objects --revs``)."""
    result = subprocess.run(["git", "pack-objects", "--stdout", "--revs", "--quiet"],
                            input=("\n".join(revs) + "\n").encode(), cwd=work,
                            capture_output=True, check=True)
    return result.stdout


@pytest.fixture
def pushed(site, registry, git, work_tree):
    """site's repository with work_tree's main (pushed straight to the bare repository)."""
    git("push", "--quiet", repository_path(registry, site["tool"]._id), "main", cwd=work_tree)
    return site


@pytest.fixture
def state(registry, site):
    """() -> (refs, object ids) of the repository: what must not change."""
    path = repository_path(registry, site["tool"]._id)

    def read():
        objects = subprocess.run(["git", "--git-dir", path, "cat-file", "--batch-all-objects",
                                  "--batch-check=%(objectname)"], capture_output=True,
                                 text=True).stdout.split()
        return Repository(path).ref_shas(), set(objects)
    return read


def head_of(git, work):
    return git("rev-parse", "HEAD", cwd=work).stdout.strip()


def post_receive(browse, site, body, status="*", **headers):
    return browse().post(REPO + "/git-receive-pack", body, status=status,
                         headers=dict(basic("dev", site["tokens"]["dev"]), **headers),
                         content_type=RECEIVE)


def test_a_well_formed_raw_push_goes_through(site, browse, git, work_tree, state):
    # the helpers above speak the protocol: the cases below differ by one fault each
    sha = head_of(git, work_tree)
    response = post_receive(browse, site, receive_body([(ZERO, sha, "refs/heads/main")],
                                                       pack_of(git, work_tree, sha)))
    assert response.status_int == 200 and b"unpack ok" in response.body
    assert state()[0] == {"refs/heads/main": sha}


def test_a_malformed_pack_is_a_git_error_and_keeps_nothing(pushed, browse, git, work_tree,
                                                           state):
    before = state()
    (work_tree / "n.txt").write_text("new\n")
    git("add", "n.txt", cwd=work_tree)
    git("commit", "--quiet", "-m", "New", cwd=work_tree)
    old, new = git("rev-parse", "HEAD~1", cwd=work_tree).stdout.strip(), head_of(git, work_tree)
    good = pack_of(git, work_tree, new, "^" + old)
    for pack in (b"PACK\x00\x00\x00\x02garbage" * 10,           # a header, then junk
                 good[:len(good) // 2],                          # cut in the middle
                 good[:-20] + b"\x00" * 20):                      # a wrong checksum
        response = post_receive(browse, pushed,
                                receive_body([(old, new, "refs/heads/main")], pack))
        assert response.status_int == 200, response.status     # git's own answer
        assert b"unpack ok" not in response.body
        assert b"unpack " in response.body or b"error" in response.body.lower()
        assert state() == before


def test_a_body_shorter_than_its_content_length_is_a_400(pushed, forge_app, git, work_tree,
                                                         state):
    before = state()
    sha = head_of(git, work_tree)
    body = receive_body([(sha, ZERO, "refs/heads/main")])
    request = Request.blank(REPO + "/git-receive-pack", method="POST",
                            headers=dict(basic("dev", pushed["tokens"]["dev"]),
                                         **{"Content-Type": RECEIVE}))
    request.body_file_raw = io.BytesIO(body)
    request.environ["CONTENT_LENGTH"] = str(len(body) + 5000)    # the rest never came
    response = request.get_response(forge_app)
    assert response.status_int == 400
    assert b"ended before its Content-Length" in response.body
    assert state() == before


@pytest.mark.parametrize("url, method, status", [
    ("/info/refs?service=git-evil", "GET", 400),
    ("/info/refs?service=git-upload-archive", "GET", 400),
    ("/info/refs?service=", "GET", 400),
    ("/git-evil", "POST", 404),
    ("/git-upload-archive", "POST", 404),
    ("/info/refs/../../HEAD", "GET", 404),
    ("/objects/info/packs", "GET", 404),
    ("/git-receive-pack/extra", "POST", 404),
])
def test_unknown_services_and_paths(pushed, browse, url, method, status):
    b = browse("dev")
    if method == "GET":
        b.get(REPO + url, status=status)
    else:
        b.post(REPO + url, b"0000", content_type=RECEIVE, status=status)


@pytest.mark.parametrize("path", [
    "blob/main/..%2f..%2fetc%2fpasswd", "raw/main/%00", "tree/main/src%2f..%2f..",
    "blob/main/a%0ab", "commits/..%2F..%2FHEAD", "tree/-n",
    "tree/--output=x", "blob/main..HEAD/README.md", "commits/HEAD@{0}", "commit/-p", "raw/refs%2fheads%2fmain/README.md", "tree/main~1:README.md",
    "blob/main%5E%7Btree%7D/README.md", "tree/" + "a" * 300, "raw/main/" + "a/" * 3000,
])
def test_traversal_and_bad_names_in_browsing_urls(pushed, browse, path):
    response = browse().get(REPO + "/" + path, expect_errors=True)
    assert response.status_int in (400, 404), (path, response.status)


@pytest.mark.parametrize("path, same_as", [
    ("tree/..", ""), ("tree/%2e%2e", ""), ("commit/..", ""), ("tree/main/%2e%2e/%2e%2e", ""),
    ("raw/main/src/../../../../etc/passwd", None), ("blob/main/src//app.py", "blob/main/src/app.py"),
])
def test_dot_segments_are_resolved_as_urls_inside_the_repository(pushed, browse, path, same_as):
    # "." and ".." in a URL are the URL's (the tree resolves them before any view),
    # never a file system's: they land on a page of this repository, or above it
    response = browse().get(REPO + "/" + path, expect_errors=True)
    if same_as is None:
        assert response.status_int == 404
    else:
        assert str(response.html.find("main")) == str(
            browse().get(REPO + "/" + same_as).html.find("main"))


@pytest.mark.parametrize("ref", ["refs/heads/a..b", "refs/heads/x.lock", "refs/heads/-x/..",
                                 "refs/heads/sp ace", "refs/heads/tilde~1", "refs/heads/a:b",
                                 "refs/heads/", "HEAD", "refs/heads/a\\b"])
def test_an_invalid_ref_name_is_refused_by_git(pushed, browse, git, work_tree, state, ref):
    before = state()
    sha = head_of(git, work_tree)
    # check-ref-format agrees that these are not ref names
    assert subprocess.run(["git", "check-ref-format", ref]).returncode != 0 or ref == "HEAD"
    response = post_receive(browse, pushed, receive_body([(ZERO, sha, ref)]))
    assert response.status_int < 500
    assert state() == before


def test_a_push_killed_half_way_changes_nothing(pushed, server, git, work_tree, state, tmp_path):
    before = state()
    (work_tree / "big.bin").write_bytes(os.urandom(1_500_000))
    git("add", "big.bin", cwd=work_tree)
    git("commit", "--quiet", "-m", "Big", cwd=work_tree)
    url = with_credentials(server + REPO, "dev", pushed["tokens"]["dev"])
    env = dict(os.environ, GIT_TERMINAL_PROMPT="0", HOME=str(tmp_path),
               GIT_CONFIG_NOSYSTEM="1")
    # a slow, chunked upload (small post buffer), killed while it is being sent
    client = subprocess.Popen(["git", "-c", "http.postBuffer=4096", "-c",
                               "http.lowSpeedLimit=1", "push", url, "main"], cwd=work_tree,
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    time.sleep(0.3)
    os.killpg(client.pid, signal.SIGKILL)
    client.wait()
    time.sleep(0.5)
    after = state()
    # either the push was cut (nothing kept) or it had finished whole before the kill
    if after != before:
        assert after[0]["refs/heads/main"] == head_of(git, work_tree)
    else:
        assert after == before
    # the server still answers, and a new push goes through
    git("push", url, "main", cwd=work_tree)
    assert state()[0]["refs/heads/main"] == head_of(git, work_tree)
