"""A private project's repository answers as its pages do: 404 to who may not read."""
import pytest

from .conftest import with_credentials

REPO = "/p/demo/code"


def test_anonymous_git_is_challenged_alike_for_private_and_missing_repositories(
        private_site, server, git, tmp_path):
    # git sends credentials only when challenged: a private repository must answer
    # 401, and a missing one answers the same, so nothing tells them apart
    answers = []
    for url in (REPO, REPO + ".git", "/p/demo/nothing", "/p/nobody/code.git"):
        result = git("clone", server + url, str(tmp_path / url.replace("/", "_")), check=False)
        assert result.returncode != 0
        answers.append(result.stderr.strip().splitlines()[-1])
    assert "could not read Username" in answers[0]
    assert len(set(answers)) == 1, answers


def test_the_challenge_is_identical_over_http(private_site, browse):
    anonymous = browse()
    seen = []
    for url in (REPO, "/p/demo/nothing"):
        response = anonymous.get(url + "/info/refs?service=git-upload-pack", status=401)
        seen.append((response.headers["WWW-Authenticate"], response.text))
    assert seen[0] == seen[1]


def test_a_stranger_gets_the_same_answer_as_for_no_repository(private_site, server, git,
                                                              tmp_path):
    token = private_site["tokens"]["out"]
    found = git("clone", with_credentials(server + REPO, "out", token), str(tmp_path / "a"),
                check=False)
    missing = git("clone", with_credentials(server + "/p/demo/nothing", "out", token),
                  str(tmp_path / "b"), check=False)
    assert found.returncode != 0 and missing.returncode != 0
    assert "not found" in found.stderr and "not found" in missing.stderr


def test_a_member_clones_a_private_repository_with_a_token(private_site, server, git, tmp_path,
                                                          work_tree):
    dev = with_credentials(server + REPO, "dev", private_site["tokens"]["dev"])
    git("push", dev, "main", cwd=work_tree)
    mem = with_credentials(server + REPO, "mem", private_site["tokens"]["mem"])
    git("clone", "--quiet", mem, str(tmp_path / "clone"))
    assert (tmp_path / "clone" / "README.md").exists()


@pytest.mark.parametrize("page", ["", "tree/main", "commits", "info/refs?service=git-upload-pack"])
def test_pages_and_refs_are_404_for_non_readers(private_site, browse, page):
    # anonymous git gets the challenge above; pages are a 404 like any private page
    browse().get(REPO + "/" + page, status=401 if "service" in page else 404)
    browse("out").get(REPO + "/" + page, status=404)
    # a reader of the empty repository: its home, no branch yet, the (empty) refs
    expected = {"": 200, "tree/main": 404, "commits": 404}.get(page, 200)
    browse("mem").get(REPO + "/" + page, status=expected)


def test_unknown_service_and_the_dumb_protocol_are_refused(site, browse):
    anonymous = browse()
    response = anonymous.get(REPO + "/info/refs?service=git-evil", status=400)
    assert "Unknown git service" in response.text
    anonymous.get(REPO + "/info/refs", status=400)
    anonymous.get(REPO + "/HEAD", status=404)
    anonymous.get(REPO + "/objects/info/packs", status=404)


def test_a_git_post_needs_the_git_content_type(site, browse):
    # a cross-site form can send only form types: it never reaches git
    response = browse().post(REPO + "/git-upload-pack", {"a": "b"}, status=400)
    assert "application/x-git-upload-pack-request" in response.text
