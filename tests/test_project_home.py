"""The project home page: members, subprojects and the project itself come
from the stored documents (the tree cache); a signed-in view builds no Ming
object for them."""
import pytest

from forge.actions.roles import add_member, role_named
from forge.model import Project, ProjectRole, User
from forge.model import cache as model_cache
from forge.model import session
from forge.testing import forge_test_settings


@pytest.fixture
def forge_settings():
    # rendered on every view (not taken whole from the page cache)
    return forge_test_settings(**{"forge.tools": "tools.notes",
                                  "forge.load_tool_entry_points": "false",
                                  "forge.page_cache.max_mb": "0"})


@pytest.fixture
def demo(registry, make_user, make_project):
    ada = make_user("ada")
    bob = make_user("bob")
    demo = make_project("demo", ada, title="Demo")
    add_member(registry, demo, role_named(demo, "Developer"), bob, ada)
    sub = make_project("sub", ada, parent=demo, title="Sub")
    sub.description = "A subproject about *things*."
    session.flush()
    session.close()
    return ada, bob


@pytest.fixture
def built(monkeypatch):
    """The classes of the Ming objects built from stored documents."""
    classes = []
    real = model_cache.attach

    def attach(cls, raw):
        classes.append((cls, raw["_id"]))
        return real(cls, raw)
    monkeypatch.setattr(model_cache, "attach", attach)
    import forge.resources.base as base
    monkeypatch.setattr(base, "attach", attach)
    return classes


def test_home_shows_members_and_subprojects_from_stored_documents(forge_browser, demo, built):
    ada, bob = demo
    forge_browser.login("bob")
    forge_browser.get("/p/demo/")
    del built[:]
    page = forge_browser.get("/p/demo/")
    members = page.html.select_one("#member-list").get_text(" ", strip=True)
    assert "Admin" in members and "ada" in members
    assert "Developer" in members and "bob" in members
    assert page.html.select_one('#member-list a[href="http://localhost/u/bob/@@profile"]')
    subs = page.html.select_one("#subproject-list").get_text(" ", strip=True)
    assert "Sub" in subs and "A subproject about *things*." in subs
    assert not [c for c, _ in built if c in (Project, ProjectRole)]
    assert {i for c, i in built if c is User} <= {bob._id}       # the reader only

    sub_page = forge_browser.get("/p/demo/sub/")
    assert "shares the members of the project above it" in sub_page.text
    assert "bob" in sub_page.html.select_one("#member-list").get_text()
