"""The project home's content is kept per reader and generation
(``forge.views.project``, ``forge.fragments.reader_cached``): a reader viewing
it again while nothing was written gets it from the store, and no other
reader, address or generation is ever given a kept copy."""
import pytest

from forge.actions.roles import add_member, role_named
from forge.model import session
from forge.testing import forge_test_settings
from forge.testing_browser import browser
from forge.views import project as project_views


@pytest.fixture
def forge_settings():
    # rendered on every view (not taken whole from the page cache)
    return forge_test_settings(**{"forge.tools": "tools.notes",
                                  "forge.load_tool_entry_points": "false",
                                  "forge.page_cache.max_mb": "0"})


@pytest.fixture
def demo(registry, make_user, make_project):
    ada = make_user("ada")
    make_user("carol")
    demo = make_project("demo", ada, title="Demo")
    add_member(registry, demo, role_named(demo, "Developer"), make_user("bob"), ada)
    make_project("hush", ada, parent=demo, private=True, title="Hushmarker")
    session.flush()
    session.close()


@pytest.fixture
def loads(monkeypatch):
    """How many times the home's content was computed."""
    counted = []
    real = project_views.members_by_role

    def members_by_role(request, project_id):
        counted.append(project_id)
        return real(request, project_id)
    monkeypatch.setattr(project_views, "members_by_role", members_by_role)
    return counted


def content(page):
    return str(page.html.select_one("main") or page.html)


def test_a_reader_viewing_again_gets_the_kept_content(forge_app, demo, loads):
    ada = browser(forge_app, "ada")
    first = ada.get("/p/demo/")
    again = ada.get("/p/demo/")
    assert len(loads) == 1
    assert content(again) == content(first)
    assert "Hushmarker" in again.text and again.html.select_one("#project-admin-links")


def test_readers_never_share_the_kept_content(forge_app, demo, loads):
    ada, carol = browser(forge_app, "ada"), browser(forge_app, "carol")
    assert "Hushmarker" in ada.get("/p/demo/").text
    page = carol.get("/p/demo/")
    # carol may not read the private subproject nor administer the project
    assert "Hushmarker" not in page.text
    assert page.html.select_one("#project-admin-links") is None
    # and her watch form carries her own session's token
    token = page.html.select_one(".watch-form input[name=csrf_token]")["value"]
    assert token == carol.csrf() != ada.csrf()
    assert len(loads) == 2


def test_the_kept_content_names_the_address_it_was_read_at(forge_app, demo, loads):
    ada = browser(forge_app, "ada")
    ada.get("/p/demo/")
    page = ada.get("/p/demo/", extra_environ={"HTTP_HOST": "localhost:8080"})
    assert page.html.select_one('#project-nav a[href="http://localhost:8080/p/demo/"]')
    assert "http://localhost/p/" not in content(page)


def test_a_write_shows_at_once(forge_app, demo, loads):
    ada = browser(forge_app, "ada")
    ada.get("/p/demo/")
    ada.post_form("/p/demo/@@edit", {"title": "Demo", "description": "Newsmarker",
                                     "version": ""}, status="*")
    assert "Newsmarker" in ada.get("/p/demo/").text
