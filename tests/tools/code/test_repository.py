"""Unit tests of the names a URL may give and of the git protocol answers."""
import io

import pytest

from tools.code.browse import _balanced_lines, split_diff
from tools.code.repository import REF, BadName, check_path, check_ref
from tools.code.smart_http import first_pkt_line, git_error_response, pkt_line


@pytest.mark.parametrize("ref", ["main", "feature/x", "v1.0", "release-2.3", "a" * 40,
                                 "user@host", "HEAD"])
def test_refs_a_url_may_name(ref):
    assert check_ref(ref) == ref


@pytest.mark.parametrize("ref", ["", "-n", "--output=/tmp/x", "main..HEAD", "a//b", "a/",
                                 "x.lock", "main:src", "HEAD@{1}", "a b", "a\nb", "^main",
                                 "main~1", "a" * 201])
def test_refs_that_could_be_options_or_revision_syntax_are_refused(ref):
    with pytest.raises(BadName):
        check_ref(ref)
    assert not REF.match(ref)


@pytest.mark.parametrize("path", ["", "a", "src/app.py", "a b/c-d.txt", "<b>.txt"])
def test_paths_inside_a_tree(path):
    assert check_path(path) == path


@pytest.mark.parametrize("path", ["..", "a/../b", "./a", "a//b", "/a", "a/", "a\nb", "a\x00b"])
def test_paths_that_leave_or_bend_the_tree_are_refused(path):
    with pytest.raises(BadName):
        check_path(path)


def test_the_size_error_goes_on_the_side_band_the_client_asked_for():
    commands = pkt_line(b"0" * 40 + b" " + b"1" * 40 + b" refs/heads/main\x00report-status "
                        b"side-band-64k agent=git/2.39\n")
    caps = first_pkt_line(io.BytesIO(commands + b"PACK...")).partition(b"\x00")[2]
    body = git_error_response("too large", caps).body
    assert body == pkt_line(b"\x03too large\n") + b"0000"
    assert git_error_response("too large", b"report-status").body.startswith(
        pkt_line(b"ERR too large\n"))
    assert first_pkt_line(io.BytesIO(b"zz")) == b""


def test_highlighted_lines_stand_alone():
    lines = _balanced_lines('<span class="s">"a\nb"</span> x\ny\n')
    assert lines == ['<span class="s">"a</span>', '<span class="s">b"</span> x', "y"]


def test_a_patch_splits_per_file():
    patch = ("diff --git a/x b/x\nindex 1..2 100644\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-old\n+new\n"
             "diff --git a/img b/img\nBinary files a/img and b/img differ\n")
    files = split_diff(patch)
    assert [(f["name"], f["added"], f["removed"], f["binary"]) for f in files] == [
        ("x", 1, 1, False), ("img", 0, 0, True)]
