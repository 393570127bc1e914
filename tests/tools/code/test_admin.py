"""``@@admin`` of a repository: default branch, protected branches, import of a
git bundle, deleting the contents; uninstalling removes the directory."""
import os
import subprocess

import pytest

from forge.actions.projects import uninstall_tool
from forge.model import Project, ToolInstance, session
from forge.model.change_log import ChangeLogEntry
from forge.model.outbox import OutboxEvent

from tools.code.repository import Repository, repository_path

from .conftest import with_credentials

REPO = "/p/demo/code"
ADMIN = REPO + "/@@admin"


@pytest.fixture
def pushed(site, server, git, work_tree):
    """The work tree pushed as main and as feature; returns the repository path."""
    url = with_credentials(server + REPO, "dev", site["tokens"]["dev"])
    git("push", url, "main", "main:feature", cwd=work_tree)
    return url


def repo_of(registry, site):
    return Repository(repository_path(registry, site["tool"]._id))


def tool_doc(site):
    session.close()
    return ToolInstance.query.get(_id=site["tool"]._id)


def make_bundle(git, work_tree, tmp_path, *refs):
    path = tmp_path / "repo.bundle"
    git("bundle", "create", str(path), *(refs or ("--all",)), cwd=work_tree)
    return path.read_bytes()


@pytest.mark.parametrize("who, status", [(None, 302), ("out", 403), ("mem", 403),
                                         ("dev", 403), ("ada", 200)])
def test_only_admins_see_the_settings(site, browse, who, status):
    # as any page of a public project that needs more than read: sign in, or forbidden
    response = browse(who).get(ADMIN, status=status)
    if who is None:
        assert "/@@login?next=" in response.location
    browse(who).post_form(ADMIN, {"form": "delete", "confirm": "code"},
                          status={None: 403, "ada": 302}.get(who, status))


def test_settings_link_only_for_admins(site, pushed, browse):
    assert 'href="http://localhost/p/demo/code/@@admin"' in browse("ada").get(REPO + "/").text
    assert "@@admin" not in browse("dev").get(REPO + "/").text


def test_default_branch(site, pushed, browse, registry, git, server, tmp_path):
    ada = browse("ada")
    page = ada.get(ADMIN)
    version = page.forms["default-branch-form"]["version"].value
    ada.post_form(ADMIN, {"form": "default-branch", "branch": "feature", "version": version},
                  status=302)
    assert repo_of(registry, site).default_branch() == "feature"
    clone = git("clone", server + REPO, str(tmp_path / "c"))
    assert "feature" in git("branch", cwd=tmp_path / "c").stdout
    assert clone.returncode == 0
    session.close()
    assert ChangeLogEntry.query.find({"action": "code.default_branch"}).count() == 1
    # a branch that is not there, or not a name, is a 400 that keeps the form
    for bad in ("nope", "../../etc", "-x", ""):
        response = ada.post_form(ADMIN, {"form": "default-branch", "branch": bad}, status=400)
        assert "There is no branch" in response.text
    assert repo_of(registry, site).default_branch() == "feature"


def test_protected_branches_form(site, pushed, browse, git, work_tree):
    ada = browse("ada")
    ada.post_form(ADMIN, {"form": "protected", "protected": "main\nrelease/*\nmain"},
                  status=302)
    assert tool_doc(site).options["protected_branches"] == ["main", "release/*"]
    assert "release/*" in ada.get(ADMIN).text
    refused = git("push", pushed, ":main", cwd=work_tree, check=False)
    assert "the branch main is protected" in refused.stderr
    response = ada.post_form(ADMIN, {"form": "protected", "protected": "ok\n-bad\na..b"},
                             status=400)
    assert "&#39;-bad&#39; is not a branch name" in response.text
    assert "a..b" in response.text        # what was typed comes back
    assert tool_doc(site).options["protected_branches"] == ["main", "release/*"]
    ada.post_form(ADMIN, {"form": "protected", "protected": ""}, status=302)
    assert tool_doc(site).options["protected_branches"] == []
    git("push", pushed, ":feature", cwd=work_tree)


def test_a_stale_settings_form_is_a_conflict(site, browse):
    ada = browse("ada")
    version = ada.get(ADMIN).forms["protected-form"]["version"].value
    ada.post_form(ADMIN, {"form": "protected", "protected": "main", "version": version},
                  status=302)
    ada.post_form(ADMIN, {"form": "protected", "protected": "dev", "version": version},
                  status=409)
    assert tool_doc(site).options["protected_branches"] == ["main"]


def test_import_a_bundle_into_the_empty_repository(site, browse, registry, git, work_tree,
                                                   tmp_path, server):
    git("tag", "v1", cwd=work_tree)
    git("branch", "topic", cwd=work_tree)
    bundle = make_bundle(git, work_tree, tmp_path)
    ada = browse("ada")
    response = ada.post_form(ADMIN, {"form": "import"}, status=302,
                             upload_files=[("attachment", "repo.bundle", bundle)])
    assert "Imported the bundle: 2 commit(s)" in response.follow().text
    repo = repo_of(registry, site)
    assert sorted(repo.ref_shas()) == ["refs/heads/main", "refs/heads/topic", "refs/tags/v1"]
    assert repo.default_branch() == "main"
    git("clone", "--quiet", server + REPO, str(tmp_path / "clone"))
    assert (tmp_path / "clone" / "src" / "app.py").exists()
    session.close()
    events = [e.message["detail"]["subject"] for e in
              OutboxEvent.query.find({"topic": "scm.commit"}).sort("seq", 1)]
    assert events == ["First commit", "Add the app"]
    # a second import is refused: the repository is not empty
    response = ada.post_form(ADMIN, {"form": "import"}, status=400,
                             upload_files=[("attachment", "repo.bundle", bundle)])
    assert "not empty" in response.text


@pytest.mark.parametrize("content", [b"", b"not a bundle at all\n",
                                     b"# v2 git bundle\n" + b"0" * 40 + b" refs/heads/main\n\nPACKjunk"],
                         ids=["empty", "text", "bad-pack"])
def test_a_file_that_is_not_a_bundle_is_refused(site, browse, registry, content):
    response = browse("ada").post_form(ADMIN, {"form": "import"}, status=400,
                                       upload_files=[("attachment", "x.bundle", content)])
    assert ("not a complete git bundle" in response.text or "holds no branch" in response.text)
    assert repo_of(registry, site).is_empty()


def test_a_truncated_bundle_is_refused_and_leaves_nothing(site, browse, registry, git, work_tree,
                                                          tmp_path):
    (work_tree / "data.bin").write_bytes(os.urandom(200_000))
    git("add", "data.bin", cwd=work_tree)
    git("commit", "--quiet", "-m", "Data", cwd=work_tree)
    bundle = make_bundle(git, work_tree, tmp_path)
    response = browse("ada").post_form(ADMIN, {"form": "import"}, status=400,
                                       upload_files=[("attachment", "x.bundle",
                                                      bundle[:len(bundle) // 2])])
    assert "not a complete git bundle" in response.text or "could not be read" in response.text
    repo = repo_of(registry, site)
    assert repo.is_empty()
    assert os.listdir(os.path.join(repo.path, "objects", "pack")) == []


def test_an_incremental_bundle_is_refused(site, browse, registry, git, work_tree, tmp_path):
    bundle = make_bundle(git, work_tree, tmp_path, "HEAD~1..main")
    response = browse("ada").post_form(ADMIN, {"form": "import"}, status=400,
                                       upload_files=[("attachment", "x.bundle", bundle)])
    assert "not a complete git bundle" in response.text
    repo = repo_of(registry, site)
    assert repo.is_empty()
    objects = subprocess.run(["git", "--git-dir", repo.path, "count-objects"],
                             capture_output=True, text=True).stdout
    assert objects.startswith("0 objects")


def test_import_without_a_file(site, browse):
    response = browse("ada").post_form(ADMIN, {"form": "import"}, status=400)
    assert "Choose a bundle file" in response.text


def test_delete_the_contents_needs_the_mount_point(site, pushed, browse, registry, git, server,
                                                   tmp_path):
    ada = browse("ada")
    response = ada.post_form(ADMIN, {"form": "delete", "confirm": "yes"}, status=400)
    assert "Type the mount point" in response.text
    assert not repo_of(registry, site).is_empty()
    ada.post_form(ADMIN, {"form": "delete", "confirm": "code"}, status=302)
    repo = repo_of(registry, site)
    assert repo.is_empty()
    assert git("ls-remote", server + REPO).stdout == ""
    assert 'id="empty-repository"' in ada.get(REPO + "/").text
    session.close()
    assert ChangeLogEntry.query.find({"action": "code.delete_contents"}).count() == 1
    # pushes work again afterwards
    work = tmp_path / "again"
    git("init", "--quiet", "--initial-branch=main", str(work))
    (work / "a.txt").write_text("a\n")
    git("add", "a.txt", cwd=work)
    git("commit", "--quiet", "-m", "Again", cwd=work)
    git("push", pushed, "main", cwd=work)
    assert list(repo_of(registry, site).ref_shas()) == ["refs/heads/main"]


def test_an_unknown_form_is_a_400(site, browse):
    browse("ada").post_form(ADMIN, {"form": "evil"}, status=400)


def test_admin_forms_need_the_csrf_token(site, browse):
    browse("ada").post(ADMIN, {"form": "delete", "confirm": "code"}, status=400)


def test_uninstalling_removes_the_repository(site, pushed, registry):
    path = repository_path(registry, site["tool"]._id)
    assert os.path.isdir(path)
    session.close()
    project = Project.query.get(_id=site["project"]._id)
    uninstall_tool(registry, project, ToolInstance.query.get(_id=site["tool"]._id),
                   site["ada"])
    assert not os.path.exists(path)
