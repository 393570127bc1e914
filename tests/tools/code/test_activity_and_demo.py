"""Pushed commits reach the reactors (activity); the demo project's repository."""
from forge.demo import ensure_demo_site

from .conftest import with_credentials

REPO = "/p/demo/code"


def test_pushed_commits_show_on_the_project_activity(site, server, git, work_tree, browse,
                                                     run_reactors):
    git("push", with_credentials(server + REPO, "dev", site["tokens"]["dev"]), "main",
        cwd=work_tree)
    run_reactors()
    page = browse().get("/p/demo/@@activity")
    assert "Add the app" in page.text and "First commit" in page.text
    assert "committed" in page.text and "on main" in page.text


def test_the_demo_project_has_a_repository_with_commits(registry, browse):
    ensure_demo_site(registry)
    b = browse()
    home = b.get(REPO + "/")
    assert "hello.py" in home.html.find(id="tree").text
    assert home.html.find(id="readme") is not None
    log = b.get(REPO + "/commits").html.find(id="log").text
    assert "Greet from the command line" in log and "Add a README" in log
