"""A commit pushed with "fixes #N" (real git over HTTP to the live forge) shows
on ticket N: a comment by the commit's author linking the commit, and the
ticket closed; the link leads to the commit's page."""
import os
import subprocess

import pytest
from playwright.sync_api import expect

from .conftest import project_url, shot

pytestmark = pytest.mark.browser


@pytest.fixture
def pushed_fix(run_reactors, seed, live_registry, base_url, tmp_path):
    """A project with a repository and ticket #1; its developer pushes a commit
    that fixes #1.  Returns (project URL, the commit's id)."""
    from forge.actions.tokens import create_token
    from forge.model import ToolInstance, User, session
    from tools.tracker.actions import create_ticket
    owner = seed.user("fixer", display_name="Fay Fixer")
    project = seed.project(owner, prefix="fix", tools=[("code", "code"),
                                                       ("tracker", "tickets")])
    tracker = ToolInstance.query.get(project_id=project._id, mount="tickets")
    owner = User.query.get(_id=owner._id)
    create_ticket(live_registry, project, tracker, {"title": "Rocket tilts left"}, owner)
    token = create_token(owner, "git")[1]
    session.close()
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_TERMINAL_PROMPT": "0", "GIT_AUTHOR_NAME": "Fay Fixer",
           "GIT_AUTHOR_EMAIL": owner.email, "GIT_COMMITTER_NAME": "Fay Fixer",
           "GIT_COMMITTER_EMAIL": owner.email}
    work = tmp_path / "work"
    work.mkdir()
    (work / "rocket.py").write_text("TILT = 0\n")
    scheme, rest = base_url.split("://", 1)
    remote = "%s://%s:%s@%s%scode" % (scheme, owner.username, token, rest,
                                      project_url(project))
    for args in (["init", "--quiet", "--initial-branch=main"], ["add", "."],
                 ["commit", "--quiet", "-m", "Balance the fins\n\nFixes #1."],
                 ["push", "--quiet", remote, "main"]):
        subprocess.run(["git", *args], cwd=work, env=env, check=True, capture_output=True,
                       timeout=60)
    sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=work, env=env, check=True,
                         capture_output=True, text=True).stdout.strip()
    run_reactors()
    return project_url(project), sha


def test_a_commit_that_fixes_a_ticket_shows_on_it(page, pushed_fix):
    project, sha = pushed_fix
    page.goto(project + "tickets/1/")
    expect(page.locator("#ticket-status")).to_have_class("badge status closed")
    comment = page.locator(".post", has_text="Balance the fins")
    expect(comment).to_be_visible()
    expect(comment.locator(".post-author")).to_have_text("Fay Fixer")
    link = comment.get_by_role("link", name=sha[:10])
    expect(link).to_be_visible()
    shot(page, "ticket-fixed-by-commit")
    with page.expect_navigation():
        link.click()
    assert page.url.endswith(project + "code/commit/" + sha)
    expect(page.get_by_text("Balance the fins").first).to_be_visible()
