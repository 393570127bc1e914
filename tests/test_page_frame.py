"""forge.page_frame: the frame above <main> kept per reader, node and
generations, never shown to another reader or after a write."""
import re

import pytest

from forge import page_frame
from forge.actions.projects import install_tool, update_tool
from forge.model import Project, ToolInstance, session


@pytest.fixture
def demo(registry, make_user, make_project):
    ada = make_user("ada")
    make_user("bob")
    project = make_project("demo", ada, title="Demo Project")
    install_tool(registry, project, "notes", "notes", ada, label="Notes")
    install_tool(registry, project, "notes", "more", ada, label="More notes")
    session.close()
    return ada


@pytest.fixture
def renders(monkeypatch):
    """How many times the frame template was rendered."""
    calls = []
    real = page_frame.render

    def counting(*args, **kw):
        calls.append(args[0])
        return real(*args, **kw)
    monkeypatch.setattr(page_frame, "render", counting)
    return calls


def warm(browser, path):
    """The first page after signing in may still write (the session's first
    use): what follows is served from the store."""
    browser.get(path)
    browser.get(path)


def frame_of(html):
    return re.search(r'<header class="site-header">.*?(?=<main)', html, re.S).group(0)


def test_a_readers_frame_is_rendered_once_per_page(forge_browser, demo, renders):
    forge_browser.login("ada")
    warm(forge_browser, "/p/demo/notes/")
    del renders[:]
    first = frame_of(forge_browser.get("/p/demo/notes/").text)
    again = frame_of(forge_browser.get("/p/demo/notes/").text)
    assert first == again and len(renders) == 0
    other = frame_of(forge_browser.get("/p/demo/more/").text)      # another node
    assert len(renders) == 1
    assert 'href="http://localhost/p/demo/more/" aria-current="page"' in other
    assert 'href="http://localhost/p/demo/notes/" aria-current="page"' in first


def test_the_frame_is_per_reader(forge_browser, demo, renders):
    forge_browser.login("ada")
    warm(forge_browser, "/p/demo/notes/")
    ada_frame = frame_of(forge_browser.get("/p/demo/notes/").text)
    forge_browser.logout()
    forge_browser.login("bob")
    bob_frame = frame_of(forge_browser.get("/p/demo/notes/").text)
    assert ">ada<" in ada_frame and ">bob<" not in ada_frame
    assert ">bob<" in bob_frame and ">ada<" not in bob_frame
    token = re.search(r'name="csrf_token" value="([^"]+)"', bob_frame).group(1)
    assert token not in ada_frame


def test_a_write_renders_the_frame_again(registry, forge_browser, demo, renders):
    forge_browser.login("ada")
    warm(forge_browser, "/p/demo/notes/")
    assert "More notes" in frame_of(forge_browser.get("/p/demo/notes/").text)
    del renders[:]
    project = Project.query.get(shortname="demo")
    tool = ToolInstance.query.get(project_id=project._id, mount="more")
    update_tool(registry, project, tool, "more", "Renamed notes", demo)
    session.close()
    frame = frame_of(forge_browser.get("/p/demo/notes/").text)
    assert len(renders) == 1
    assert "Renamed notes" in frame and "More notes" not in frame


def test_visitors_frames_are_not_kept(forge_browser, demo, renders):
    # the page cache keeps visitors' whole pages; the frame store never does
    forge_browser.get("/p/demo/notes/?a=1")
    forge_browser.get("/p/demo/notes/?a=2")
    assert len(renders) == 2
