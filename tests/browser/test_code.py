"""The code tool in a browser: the repository's page (clone box, copy button,
files, README) and a file view with highlighting and line anchors."""
import os
import subprocess

import pytest
from playwright.sync_api import expect

from .conftest import project_url, shot

pytestmark = pytest.mark.browser


@pytest.fixture
def repository(seed, live_registry, tmp_path):
    """A public project with a code tool holding one commit; yields its URL path."""
    from forge.model import ToolInstance, session
    from tools.code.repository import repository_path
    owner = seed.user("gina")
    project = seed.project(owner, prefix="code", tools=[("code", "code")])
    tool = ToolInstance.query.get(project_id=project._id, mount="code")
    session.close()
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_AUTHOR_NAME": "Gina", "GIT_AUTHOR_EMAIL": "gina@example.test",
           "GIT_COMMITTER_NAME": "Gina", "GIT_COMMITTER_EMAIL": "gina@example.test"}
    work = tmp_path / "work"
    work.mkdir()
    (work / "README.md").write_text("# Rocket\n\nA *small* rocket.\n")
    (work / "rocket.py").write_text("import math\n\n\ndef thrust(mass):\n"
                                    "    return mass * 9.81\n")
    for args in (["init", "--quiet", "--initial-branch=main"], ["add", "."],
                 ["commit", "--quiet", "-m", "Rocket"],
                 ["push", "--quiet", repository_path(live_registry, tool._id), "main"]):
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
