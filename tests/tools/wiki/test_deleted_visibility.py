"""The wiki's deleted pages (``@@deleted``, ``@@undelete``) decide who may see
and restore a page with the page's real lineage: its live *and deleted*
ancestors' ACLs, as if it had never been deleted.  A Developer (who may
delete in the wiki) must neither see nor undelete a sub-page of a page only
admins may read."""
import pytest
from pyramid.testing import DummyRequest
from pyramid.traversal import find_resource

from forge.actions.acl import set_privacy
from forge.model import session
from forge.resources import SiteRoot

from .conftest import WIKI, create, stored

MARKER = "Zanzibar"          # in every hidden page's title and name


def node(registry, path):
    request = DummyRequest()
    request.registry = registry
    return find_resource(SiteRoot(request), path)


@pytest.fixture
def admin_only(site, browse, registry):
    """"Vault" readable by the project's Admins only (ada), with sub-pages."""
    ada = browse("ada")
    create(ada, "Vault", text="admins only")
    project = site["project"]
    from forge.actions.roles import role_named
    set_privacy(registry, node(registry, WIKI + "Vault/"), True, site["ada"],
                readers=[role_named(project, "Admin").principal])
    session.close()
    create(ada, "Vault/%s Child" % MARKER, title="%s child" % MARKER, text="x")
    create(ada, "Vault/%s Child/%s Grandchild" % (MARKER, MARKER),
           title="%s grandchild" % MARKER, text="y")
    create(ada, "Open", text="public")
    create(ada, "Open/Leaf", title="Open leaf", text="z")
    browse("dev").get(WIKI + "Vault/", status=404)       # dev may not read Vault
    return ada


def test_a_deleted_child_of_an_admin_only_page_is_hidden_and_stays_deleted(
        site, browse, admin_only):
    ada, dev = admin_only, browse("dev")
    ada.post_form(WIKI + "Vault/%s Child/@@delete" % MARKER, {}, status=302)
    ada.post_form(WIKI + "Open/Leaf/@@delete", {}, status=302)
    listing = dev.get(WIKI + "@@deleted").text
    assert MARKER not in listing
    assert "Open leaf" in listing                     # what dev may read is listed
    assert MARKER in ada.get(WIKI + "@@deleted").text  # the admin sees it
    child = stored(site, "Vault/%s Child" % MARKER)
    page = dev.post_form(WIKI + "@@undelete", {"page": child._id}, status=404)
    assert MARKER not in page.text
    assert stored(site, "Vault/%s Child" % MARKER).deleted
    # the admin may
    ada.post_form(WIKI + "@@undelete", {"page": child._id}, status=302)
    assert not stored(site, "Vault/%s Child" % MARKER).deleted


def test_sub_pages_of_a_deleted_admin_only_page_are_hidden(site, browse, admin_only):
    """The ancestors are deleted too: their ACLs still count."""
    ada, dev = admin_only, browse("dev")
    ada.post_form(WIKI + "Vault/%s Child/%s Grandchild/@@delete" % (MARKER, MARKER), {},
                  status=302)
    ada.post_form(WIKI + "Vault/@@delete", {}, status=302)
    listing = dev.get(WIKI + "@@deleted").text
    assert MARKER not in listing and "Vault" not in listing
    for path in ("Vault", "Vault/%s Child" % MARKER,
                 "Vault/%s Child/%s Grandchild" % (MARKER, MARKER)):
        doc = stored(site, path)
        assert doc.deleted
        dev.post_form(WIKI + "@@undelete", {"page": doc._id}, status=404)
        assert stored(site, path).deleted
    listing = ada.get(WIKI + "@@deleted").text
    assert "%s grandchild" % MARKER in listing and "%s child" % MARKER in listing


def test_a_private_deleted_page_under_a_public_one(site, browse, registry):
    """The page's own ACL counts as well: private to its author and the
    Developers, so a Developer sees it and a Member-turned-deleter would not."""
    mem, dev = browse("mem"), browse("dev")
    create(mem, "Notes", text="public")
    create(mem, "Notes/Mine", title="%s mine" % MARKER, text="x", private="on")
    dev.post_form(WIKI + "Notes/@@delete", {}, status=302)
    assert "%s mine" % MARKER in dev.get(WIKI + "@@deleted").text
