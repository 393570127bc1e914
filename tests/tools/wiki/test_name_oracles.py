"""A refused page name tells nothing about a page the user may not read.

Creating or renaming to a name a private page holds used to answer "There is
already a page named …", which told a Member that the private page exists.
Now whoever may not read the holder (live or deleted, on its real lineage)
gets one answer whatever holds the name; those who may read it get the
precise message."""
import re

import pytest
from pyramid.testing import DummyRequest
from pyramid.traversal import find_resource

from forge.actions.acl import set_privacy
from forge.actions.roles import role_named
from forge.model import session
from forge.resources import SiteRoot

from .conftest import WIKI, create, stored

UNAVAILABLE = "The name “%s” is not available here; choose another name."


def node(registry, path):
    request = DummyRequest()
    request.registry = registry
    return find_resource(SiteRoot(request), path)


@pytest.fixture
def secrets(site, browse, registry):
    """"Secret": private (Developers and its author, ada); "Vault": admins only,
    with a deleted sub-page "Vault/Old"; "Open": public."""
    ada = browse("ada")
    create(ada, "Secret", text="x", private="on")
    create(ada, "Vault", text="x")
    set_privacy(registry, node(registry, WIKI + "Vault/"), True, site["ada"],
                readers=[role_named(site["project"], "Admin").principal])
    session.close()
    create(ada, "Vault/Old", text="x")
    ada.post_form(WIKI + "Vault/Old/@@delete", {}, status=302)
    create(ada, "Gone", text="x")
    ada.post_form(WIKI + "Gone/@@delete", {}, status=302)
    create(ada, "Open", text="x")
    return ada


def test_creating_a_page_named_like_a_private_one(site, browse, secrets):
    mem = browse("mem")
    mem.get(WIKI + "Secret/", status=404)                    # mem may not read it
    page = create(mem, "Secret", status=400)
    assert UNAVAILABLE % "Secret" in page.text
    assert "already" not in page.text and "deleted" not in page.text.lower()
    # a name a readable page holds is told precisely
    assert "There is already a page named “Open”" in create(mem, "Open", status=400).text
    # and so is the private one to those who may read it
    dev = browse("dev")
    assert "There is already a page named “Secret”" in create(dev, "Secret",
                                                               status=400).text
    assert stored(site, "Secret").author_id == site["ada"]._id


def test_a_deleted_page_under_an_admin_only_one_is_not_told_either(site, browse, secrets):
    dev = browse("dev")                          # may delete, may not read Vault
    page = create(dev, "Vault/Old", status=400)
    # the parent is not readable: told like a missing parent, as before
    assert "There is no page “Vault” to put “Old” under" in page.text
    # a deleted page dev may read is told with the way out
    assert "A deleted page is named “Gone”" in create(dev, "Gone", status=400).text
    assert "A deleted page is named “Vault/Old”" in create(secrets, "Vault/Old",
                                                           status=400).text


def test_renaming_to_a_name_a_private_page_holds(site, browse, secrets, registry):
    dev = browse("dev")
    create(dev, "Draft", text="x")
    create(dev, "Draft/Part", text="x")
    # the admins-only Vault: dev may not read it, whether the name is the page's...
    page = dev.post_form(WIKI + "Draft/@@rename", {"name": "Vault"}, status=400)
    assert UNAVAILABLE % "Vault" in page.text and "already" not in page.text
    # ...or a sub-page's: Draft/Part would become Vault/Old's neighbour, but
    # moving Draft under Vault is refused like a missing parent
    page = dev.post_form(WIKI + "Draft/@@rename", {"name": "Vault/Draft"}, status=400)
    assert "There is no page “Vault” to put “Draft” under" in page.text
    # ada may read Vault: the precise message
    page = secrets.post_form(WIKI + "Draft/@@rename", {"name": "Vault"}, status=400)
    assert "There is already a page named “Vault”" in page.text
    assert stored(site, "Draft") is not None and stored(site, "Draft/Part") is not None


def test_the_same_answer_whatever_holds_an_unreadable_name(site, browse, secrets):
    """A private live page and an unreadable deleted one answer alike."""
    mem = browse("mem")
    secrets.post_form(WIKI + "Secret/@@delete", {}, status=302)
    deleted_answer = create(mem, "Secret", status=400).text
    assert UNAVAILABLE % "Secret" in deleted_answer


def links_in(html, name):
    """The <a> tags whose text is ``name``."""
    return re.findall(r'<a [^>]*>%s</a>' % re.escape(name), html)


def test_a_link_to_a_page_the_reader_may_not_read_is_a_missing_link(site, browse, secrets,
                                                                    registry):
    ada = secrets
    create(ada, "Index", text="[[Secret]] [[Nowhere]] [[Open]]")
    dev, mem, anonymous = browse("dev"), browse("mem"), browse()
    # rendered first for a reader who may read Secret...
    html = dev.get(WIKI + "Index/").text
    assert 'href="http://localhost/p/demo/wiki/Secret/"' in links_in(html, "Secret")[0]
    # ...then for readers who may not: exactly like the missing page
    for reader in (mem, anonymous):
        html = reader.get(WIKI + "Index/").text
        [secret], [nowhere] = links_in(html, "Secret"), links_in(html, "Nowhere")
        assert secret == nowhere.replace("Nowhere", "Secret")
        assert "@@new?title=Secret" in secret
        assert "/wiki/Open/" in links_in(html, "Open")[0]
    # a page made private later: its links follow at once
    set_privacy(registry, node(registry, WIKI + "Open/"), True, site["ada"],
                readers=[role_named(site["project"], "Admin").principal])
    session.close()
    html = anonymous.get(WIKI + "Index/").text
    assert "@@new?title=Open" in links_in(html, "Open")[0]
    assert "/wiki/Open/" in links_in(ada.get(WIKI + "Index/").text, "Open")[0]
