"""The code tool in a browser: the repository's page (clone box, copy button,
files, README) and a file view with highlighting and line anchors."""
import os
import subprocess

import pytest
from playwright.sync_api import expect

from .conftest import login, project_url, shot

pytestmark = pytest.mark.browser


def git_env(tmp_path):
    return {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_AUTHOR_NAME": "Gina", "GIT_AUTHOR_EMAIL": "gina@example.test",
           "GIT_COMMITTER_NAME": "Gina", "GIT_COMMITTER_EMAIL": "gina@example.test"}


def code_project(seed, live_registry):
    """(owner, project, path of its bare repository) of a new public project with a code tool."""
    from forge.model import ToolInstance, session
    from tools.code.repository import repository_path
    owner = seed.user("gina")
    project = seed.project(owner, prefix="code", tools=[("code", "code")])
    tool = ToolInstance.query.get(project_id=project._id, mount="code")
    session.close()
    return owner, project, repository_path(live_registry, tool._id)


@pytest.fixture
def repository(seed, live_registry, tmp_path):
    """A public project with a code tool holding one commit; yields its URL path."""
    _owner, project, bare = code_project(seed, live_registry)
    env = git_env(tmp_path)
    work = tmp_path / "work"
    work.mkdir()
    (work / "README.md").write_text("# Rocket\n\nA *small* rocket.\n")
    (work / "rocket.py").write_text("import math\n\n\ndef thrust(mass):\n"
                                    "    return mass * 9.81\n")
    for args in (["init", "--quiet", "--initial-branch=main"], ["add", "."],
                 ["commit", "--quiet", "-m", "Rocket"],
                 ["push", "--quiet", bare, "main"]):
        subprocess.run(["git", *args], cwd=work, env=env, check=True, capture_output=True)
    return project_url(project) + "code/"


def test_repository_page_and_file_view(page, base_url, repository):
    page.goto(repository)
    clone = page.locator("#clone-url")
    assert clone.input_value() == "git clone %s%s" % (base_url, repository.rstrip("/"))
    page.get_by_role("button", name="Copy").click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    assert page.locator("#readme em").inner_text() == "small"
    assert "rocket.py" in page.locator("#tree").inner_text()
    shot(page, "code-home")
    with page.expect_navigation():
        page.locator("#tree").get_by_role("link", name="rocket.py").click()
    assert page.url.endswith(repository + "blob/main/rocket.py")
    assert page.locator("#L1 .kn").inner_text() == "import"    # highlighted
    with page.expect_navigation():
        page.locator("#L4 a").click()
    assert page.url.endswith("#L4")
    assert "def thrust" in page.locator("#L4").inner_text()
    shot(page, "code-file")


def test_repository_settings(page, seed, live_registry, tmp_path):
    """An admin protects main, picks the default branch, deletes the contents
    (after a wrong confirmation) and imports a bundle into the empty repository."""
    owner, project, bare = code_project(seed, live_registry)
    env = git_env(tmp_path)
    work = tmp_path / "work"
    work.mkdir()

    def git(*args):
        subprocess.run(["git", *args], cwd=work, env=env, check=True, capture_output=True)
    (work / "a.txt").write_text("a\n")
    for args in (["init", "--quiet", "--initial-branch=main"], ["add", "."],
                 ["commit", "--quiet", "-m", "A"], ["branch", "feature"],
                 ["push", "--quiet", bare, "main", "feature"],
                 ["bundle", "create", str(tmp_path / "repo.bundle"), "--all"]):
        git(*args)
    login(page, owner.username)
    page.goto(project_url(project) + "code/")
    with page.expect_navigation():
        page.get_by_role("navigation", name="Repository").get_by_role("link",
                                                                       name="Settings").click()
    page.get_by_label("Branches nobody may force-push or delete").fill("main\nrelease/*")
    with page.expect_navigation():
        page.get_by_role("button", name="Save protected branches").click()
    expect(page.get_by_role("status")).to_have_text("Saved the protected branches.")
    expect(page.locator("#protected")).to_have_value("main\nrelease/*")

    page.get_by_label("The branch a clone checks out").select_option("feature")
    with page.expect_navigation():
        page.get_by_role("button", name="Save the default branch").click()
    expect(page.get_by_role("status")).to_have_text("The default branch is feature.")
    expect(page.locator("#branch")).to_have_value("feature")
    expect(page.locator("#import-not-empty")).to_be_visible()
    shot(page, "code-settings")

    page.get_by_label("Type the mount point").fill("not it")
    with page.expect_navigation():
        page.get_by_role("button", name="Delete the contents").click()
    expect(page.get_by_role("alert")).to_contain_text("Type the mount point 'code' to confirm")
    page.get_by_label("Type the mount point").fill("code")
    with page.expect_navigation():
        page.get_by_role("button", name="Delete the contents").click()
    expect(page.get_by_role("status")).to_contain_text("it is empty now")

    page.get_by_label("A git bundle of every branch and tag").set_input_files(
        str(tmp_path / "repo.bundle"))
    with page.expect_navigation():
        page.get_by_role("button", name="Import the bundle").click()
    expect(page.get_by_role("status")).to_have_text("Imported the bundle: 1 commit(s).")
    page.goto(project_url(project) + "code/")
    assert "a.txt" in page.locator("#tree").inner_text()


def test_branches_compare_and_blame(page, seed, live_registry, tmp_path):
    """From the repository's page to its branches, a comparison with the
    default branch, and the blame of a file changed on the branch."""
    _owner, project, bare = code_project(seed, live_registry)
    env = git_env(tmp_path)
    work = tmp_path / "work"
    work.mkdir()

    def git(*args):
        subprocess.run(["git", *args], cwd=work, env=env, check=True, capture_output=True)
    (work / "app.py").write_text("a = 1\nb = 2\n")
    git("init", "--quiet", "--initial-branch=main")
    git("add", ".")
    git("commit", "--quiet", "-m", "Start")
    git("checkout", "--quiet", "-b", "feature")
    (work / "app.py").write_text("a = 1\nb = 3\n")
    git("commit", "--quiet", "-am", "Change b")
    git("push", "--quiet", bare, "main", "feature")
    repo = project_url(project) + "code/"
    page.goto(repo)
    with page.expect_navigation():
        page.get_by_role("link", name="Branches and tags").click()
    expect(page.locator("#branches")).to_contain_text("default")
    shot(page, "code-branches")
    with page.expect_navigation():
        page.get_by_role("link", name="Compare with main").click()
    assert page.url.endswith(repo + "compare/main...feature")
    expect(page.locator("#compare-commits")).to_contain_text("Change b")
    expect(page.locator("pre.diff .add")).to_have_text("+b = 3")
    shot(page, "code-compare")
    # the form: swap the sides
    page.get_by_label("Base").fill("feature")
    page.get_by_label("Compare", exact=True).fill("main")
    with page.expect_navigation():
        page.get_by_role("button", name="Compare").click()
    expect(page.locator("#no-commits")).to_be_visible()
    page.goto(repo + "blob/feature/app.py")
    with page.expect_navigation():
        page.locator("#blame-link").click()
    expect(page.locator("#L1 .blame-commit")).to_contain_text("Start")
    expect(page.locator("#L2 .blame-commit")).to_contain_text("Change b")
    expect(page.locator("#L2 .line")).to_have_text("b = 3")
    shot(page, "code-blame")
