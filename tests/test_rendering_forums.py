"""A forum's description is Markdown on the forum list and the forum page,
through the sanitiser."""
import pytest

from forge.actions.projects import install_tool
from forge.model import session
from forge.testing import ForgeBrowser
from forge.testing_xss import assert_inert

DESCRIPTION = ("Talk about **releases**.\n\n- [x] read the FAQ\n\nSee https://example.org/faq "
               "<script>alert(1)</script> <img src=x onerror=alert(2)>")


@pytest.fixture
def forum(registry, make_user, make_project):
    from tools.discussion.actions import create_forum
    ada = make_user("ada")
    project = make_project("demo", ada)
    tool = install_tool(registry, project, "discussion", "forums", ada)
    create_forum(registry, project, tool, "releases", "Releases", DESCRIPTION, ada)
    session.close()


@pytest.mark.parametrize("path", ["/p/demo/forums/", "/p/demo/forums/releases/"])
def test_descriptions_are_rendered(forge_app, forum, path):
    html = ForgeBrowser(forge_app).get(path).text
    assert "<strong>releases</strong>" in html
    assert 'href="https://example.org/faq"' in html
    assert 'type="checkbox"' in html and "**" not in html
    assert_inert(html, path)
