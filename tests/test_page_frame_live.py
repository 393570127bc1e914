"""forge.page_frame keeps the page's top from <body> to <main>: the live-changes
attributes and notice follow the node and the polling setting in it."""
import pytest

from forge.actions.projects import install_tool
from forge.model import session


@pytest.fixture
def demo(registry, make_user, make_project):
    ada = make_user("ada")
    project = make_project("demo", ada, title="Demo Project")
    install_tool(registry, project, "notes", "notes", ada, label="Notes")
    session.close()
    return ada


def test_the_kept_top_follows_the_polling_setting(forge_browser, registry, demo, monkeypatch):
    forge_browser.login("ada")
    for _ in range(3):
        page = forge_browser.get("/p/demo/notes/").text
    assert 'data-live-url="http://localhost/p/demo/notes/@@changes"' in page
    assert page.index("<body") < page.index('<a class="skip-link"') \
        < page.index('<header class="site-header">') < page.index('<main id="main"') \
        < page.index('id="live-notice"')
    monkeypatch.setitem(registry.settings, "forge.live.poll_seconds", "0")
    # another URL of the node: not a page kept whole (forge.signed_pages), the same frame key
    page = forge_browser.get("/p/demo/notes/?again=1").text
    assert "data-live-url" not in page and 'id="live-notice"' not in page


def test_the_kept_top_is_per_node(forge_browser, demo):
    forge_browser.login("ada")
    for _ in range(3):
        forge_browser.get("/p/demo/notes/")
    assert 'data-live-url="http://localhost/p/demo/@@changes"' in forge_browser.get("/p/demo/").text
    assert "data-live-url" not in forge_browser.get("/").text
