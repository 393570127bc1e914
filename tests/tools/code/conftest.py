"""Fixtures of the code tool's tests: project "demo" with a repository at
/p/demo/code/, served by waitress on 127.0.0.1 for the real ``git`` client."""
import os
import subprocess

import pytest

from forge.actions.projects import install_tool
from forge.actions.roles import add_member, role_named
from forge.actions.tokens import create_token
from forge.model import session
from forge.testing import ForgeBrowser, forge_test_settings, served_in_thread

# above forge.max_body_bytes (1 MiB): a push is not bound by the forms' limit
MAX_PUSH = 2 * 1024 * 1024


@pytest.fixture
def forge_settings():
    # only the code tool: these tests must not depend on the other tools
    return forge_test_settings(**{"forge.tools": "tools.code",
                                  "forge.load_tool_entry_points": "false",
                                  "forge.repos.max_push_bytes": str(MAX_PUSH)})


@pytest.fixture
def site(registry, make_user, make_project):
    """ada admins demo (public); dev is a Developer, mem a Member, out is not in it.
    ``tokens[name]`` is an API token of each."""
    return build_site(registry, make_user, make_project, private=False)


@pytest.fixture
def private_site(registry, make_user, make_project):
    """The same people and repository in a private project."""
    return build_site(registry, make_user, make_project, private=True)


def build_site(registry, make_user, make_project, private):
    ada = make_user("ada")
    project = make_project("demo", ada, private=private)
    people = {"ada": ada, "project": project}
    for name, role in (("dev", "Developer"), ("mem", "Member")):
        people[name] = make_user(name)
        add_member(registry, project, role_named(project, role), people[name], ada)
    people["out"] = make_user("out")
    people["tool"] = install_tool(registry, project, "code", "code", ada)
    people["tokens"] = {name: create_token(people[name], "git")[1]
                        for name in ("ada", "dev", "mem", "out")}
    session.close()
    return people


@pytest.fixture
def server(forge_app):
    """The app on a free port; yields its base URL."""
    with served_in_thread(forge_app, threads=4, channel_request_lookahead=1) as httpd:
        yield "http://127.0.0.1:%s" % httpd.effective_port


@pytest.fixture
def browse(forge_app):
    def make(username=None):
        b = ForgeBrowser(forge_app)
        if username:
            b.login(username)
        return b
    return make


def git_env(tmp_path):
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    return {"PATH": os.environ["PATH"], "HOME": str(home), "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C",
            "GIT_AUTHOR_NAME": "Dev Eloper", "GIT_AUTHOR_EMAIL": "dev@example.test",
            "GIT_COMMITTER_NAME": "Dev Eloper", "GIT_COMMITTER_EMAIL": "dev@example.test"}


@pytest.fixture
def git(tmp_path):
    """``git(*args, cwd=None, check=True)`` -> CompletedProcess (text), no user config."""
    env = git_env(tmp_path)

    def run(*args, cwd=None, check=True):
        result = subprocess.run(["git", *args], cwd=cwd or tmp_path, env=env, text=True,
                                capture_output=True, timeout=60)
        if check and result.returncode != 0:
            raise AssertionError("git %s failed:\n%s%s" % (" ".join(args), result.stdout,
                                                           result.stderr))
        return result
    return run


def with_credentials(url, user, secret):
    scheme, rest = url.split("://", 1)
    return "%s://%s:%s@%s" % (scheme, user, secret, rest)


@pytest.fixture
def work_tree(git, tmp_path):
    """A local repository with two commits on main (README.md, src/app.py)."""
    work = tmp_path / "work"
    git("init", "--quiet", "--initial-branch=main", str(work))
    (work / "README.md").write_text("# Hello\n\nThe *demo* repository.\n")
    git("add", "README.md", cwd=work)
    git("commit", "--quiet", "-m", "First commit", cwd=work)
    (work / "src").mkdir()
    (work / "src" / "app.py").write_text("def main():\n    return 42\n")
    git("add", "src", cwd=work)
    git("commit", "--quiet", "-m", "Add the app\n\nWith a body.", cwd=work)
    return work
