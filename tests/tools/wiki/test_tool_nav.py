"""forge.page_frame.tool_nav on wiki pages: the wiki's navigation bar kept per
reader and tool while nothing is written, never shown to another reader."""
import re

import pytest

from forge import page_frame
from forge.actions.acl import add_entry
from forge.model import session
from forge.testing import forge_test_settings

from .conftest import WIKI, create

NAV = "tools.wiki:templates/wiki/_nav.jinja2"


@pytest.fixture
def forge_settings():
    # whole pages are not kept (forge.page_cache), so every GET renders
    return forge_test_settings(**{"forge.tools": "tools.wiki",
                                  "forge.load_tool_entry_points": "false",
                                  "forge.page_cache.max_mb": "0"})


@pytest.fixture
def renders(monkeypatch):
    """How many times the wiki's navigation was rendered."""
    calls = []
    real = page_frame.render

    def counting(template, *args, **kw):
        if template == NAV:
            calls.append(template)
        return real(template, *args, **kw)
    monkeypatch.setattr(page_frame, "render", counting)
    return calls


def nav_of(html):
    return re.search(r'<nav class="actions wiki-nav".*?</nav>', html, re.S).group(0)


def test_the_nav_is_kept_per_reader(site, browse, renders):
    ada = browse("ada")
    create(ada, "Home", text="hello")
    ada.get(WIKI + "Home/")
    del renders[:]
    first = nav_of(ada.get(WIKI + "Home/").text)
    assert nav_of(ada.get(WIKI + "Home/").text) == first and renders == []
    assert "Settings" in first           # ada admins the project
    mem = browse("mem")
    theirs = nav_of(mem.get(WIKI + "Home/").text)
    assert len(renders) == 1
    assert "Settings" not in theirs
    token = re.search(r'name="csrf_token" value="([^"]+)"', theirs).group(1)
    assert token not in first


def test_a_write_renders_the_nav_again(registry, site, browse, renders):
    ada, mem = browse("ada"), browse("mem")
    create(ada, "Home", text="hello")
    mem.get(WIKI + "Home/")
    assert "Settings" not in nav_of(mem.get(WIKI + "Home/").text)
    node = wiki_node(registry, site)
    add_entry(registry, node, "allow", "user:%s" % site["mem"]._id, "admin", site["ada"])
    session.close()
    assert "Settings" in nav_of(mem.get(WIKI + "Home/").text)


def wiki_node(registry, site):
    from pyramid.traversal import find_resource
    from forge.site_request import site_request
    with site_request(registry) as request:
        return find_resource(request.root, WIKI)
