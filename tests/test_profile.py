"""Users' public profile pages (``/u/NAME/@@profile``)."""
import pytest

from forge.actions.roles import add_member, create_role, role_named
from forge.model import session


@pytest.fixture
def world(registry, make_user, make_project):
    """ada holds roles in a public project, a private one, and a private subproject."""
    ada = make_user("ada")
    bob = make_user("bob")
    make_user("eve")
    make_user("root", site_admin=True)
    ada.display_name = "Ada Lovelace"
    session.flush()
    public = make_project("engine", bob, title="Analytical Engine")
    add_member(registry, public, role_named(public, "Developer"), ada, bob)
    private = make_project("notes", bob, title="Secret Notes", private=True)
    add_member(registry, private, role_named(private, "Member"), ada, bob)
    sub = make_project("vault", bob, parent=public, private=True, title="Vault Subproject")
    reviewer = create_role(registry, sub, "Reviewer", [], bob)
    add_member(registry, sub, reviewer, ada, bob)
    return {"ada": ada, "bob": bob}


def profile_text(browser, viewer=None, name="ada"):
    browser.logout()
    if viewer:
        browser.login(viewer)
    return browser.get("/u/%s/@@profile" % name).text


def test_profile_shows_facts_and_public_roles(forge_browser, world):
    text = profile_text(forge_browser)
    assert "Ada Lovelace" in text and "ada" in text
    assert "Member since" in text
    assert world["ada"].created.strftime("%Y-%m-%d") in text
    assert "Analytical Engine" in text and "Developer" in text
    assert 'href="http://localhost/p/engine/"' in text
    # her own personal project, where she is Admin
    assert 'href="http://localhost/u/ada/"' in text


@pytest.mark.parametrize("viewer", [None, "eve"])
def test_private_roles_hidden_from_those_who_cannot_read(forge_browser, world, viewer):
    text = profile_text(forge_browser, viewer)
    assert "Analytical Engine" in text
    assert "Secret Notes" not in text and "/p/notes/" not in text
    assert "Vault Subproject" not in text and "Reviewer" not in text


@pytest.mark.parametrize("viewer", ["bob", "ada", "root"])
def test_private_roles_shown_to_those_who_can_read(forge_browser, world, viewer):
    text = profile_text(forge_browser, viewer)
    assert "Secret Notes" in text
    assert "Vault Subproject" in text and "Reviewer" in text
    assert 'href="http://localhost/p/engine/vault/"' in text


@pytest.mark.parametrize("viewer, shown", [
    (None, False), ("eve", False), ("bob", False), ("ada", True), ("root", True)])
def test_email_only_for_self_and_site_admins(forge_browser, world, viewer, shown):
    text = profile_text(forge_browser, viewer)
    assert ("ada@example.test" in text) is shown


def test_profile_only_on_user_projects(forge_browser, world):
    forge_browser.get("/p/engine/@@profile", status=404)
    forge_browser.get("/u/nobody/@@profile", status=404)


def test_profile_of_disabled_user_is_gone(forge_browser, world):
    world["ada"].disabled = True
    session.flush()
    forge_browser.get("/u/ada/@@profile", status=404)


def test_deleted_project_not_listed(forge_browser, world):
    from forge.model import Project
    project = Project.query.get(shortname="engine")
    project.deleted = True
    session.flush()
    text = profile_text(forge_browser, "root")
    assert "Analytical Engine" not in text and "Secret Notes" in text


def test_account_links_to_profile(forge_browser, world):
    forge_browser.login("ada")
    page = forge_browser.get("/@@account")
    assert 'href="http://localhost/u/ada/@@profile"' in page.text
