"""The page cache (forge.page_cache) on wiki pages: anonymous readers get
stored pages while nothing changed, and every kind of write shows at once."""
import pytest
from pyramid.testing import DummyRequest
from pyramid.traversal import find_resource

from forge.actions.acl import add_entry, set_privacy
from forge.discussion.model import Post
from forge.model import session
from forge.model.acl import EVERYONE
from forge.model.cache import current_generations
from forge.model.session import collection
from forge.page_cache import HEADER
from forge.resources import SiteRoot
from forge.testing import forge_test_settings

from tools.wiki.model import WikiPage

from .conftest import WIKI, create, edit, stored

PAGE = WIKI + "Cached/"


def cache_state(response):
    return response.headers.get(HEADER)


@pytest.fixture
def page(site, browse):
    create(browse("ada"), "Cached", text="first words")
    return stored(site, "Cached")


def node(registry, path):
    request = DummyRequest()
    request.registry = registry
    return find_resource(SiteRoot(request), path)


def test_a_stored_page_is_served_until_the_page_changes(page, browse, site):
    reader = browse()
    first = reader.get(PAGE)
    assert cache_state(first) == "miss" and "first words" in first.text
    second = reader.get(PAGE)
    assert cache_state(second) == "hit"
    assert second.body == first.body
    assert second.headers["Content-Type"] == first.headers["Content-Type"]
    edit(browse("ada"), "Cached", page.version, title="Cached", text="second words")
    changed = reader.get(PAGE)
    assert cache_state(changed) == "miss"
    assert "second words" in changed.text and "first words" not in changed.text
    assert cache_state(reader.get(PAGE)) == "hit"


def test_signed_in_and_anonymous_readers_never_share_a_stored_page(page, browse):
    ada = browse("ada")
    ada.get(PAGE)
    # kept for ada's session alone (forge.signed_pages, test_signed_page_cache.py)
    assert cache_state(ada.get(PAGE)) == "hit"
    reader = browse()
    anonymous = reader.get(PAGE)
    assert cache_state(anonymous) == "miss"
    assert "Sign in" in anonymous.text and "Sign out" not in anonymous.text
    # and a signed-in reader never gets the anonymous page either
    signed = ada.get(PAGE)
    assert cache_state(signed) == "hit" and "Sign out" in signed.text


def test_a_page_made_private_is_not_served_from_the_store(page, browse, registry, site):
    reader = browse()
    reader.get(PAGE)
    assert cache_state(reader.get(PAGE)) == "hit"
    set_privacy(registry, node(registry, "/p/demo/wiki/Cached/"), True, site["ada"])
    session.close()
    assert reader.get(PAGE, status=(403, 404)).status_int in (403, 404)


def test_comments_and_moderation_show_at_once(page, browse):
    reader = browse()
    reader.get(PAGE)
    assert cache_state(reader.get(PAGE)) == "hit"
    browse("mem").post_form(PAGE + "@@post", {"text": "a member comments"}, status=302)
    assert "a member comments" in reader.get(PAGE).text
    browse("out").post_form(PAGE + "@@post", {"text": "an outsider waits"}, status=302)
    assert "an outsider waits" not in reader.get(PAGE).text
    assert cache_state(reader.get(PAGE)) == "hit"
    session.close()
    pending = Post.query.get(text="an outsider waits")
    browse("dev").post_form(PAGE + "@@moderate", {"post_id": pending._id,
                                                  "decision": "approve"}, status=302)
    assert "an outsider waits" in reader.get(PAGE).text


def test_writes_made_outside_any_request_show_at_once(page, browse, site):
    """As another process (a worker, the CLI) would write: a Ming flush, and a
    raw write through ``collection``."""
    reader = browse()
    reader.get(PAGE)
    assert cache_state(reader.get(PAGE)) == "hit"
    doc = stored(site, "Cached")
    doc.title = "Retitled By A Flush"
    session.flush()
    session.close()
    assert "Retitled By A Flush" in reader.get(PAGE).text
    assert cache_state(reader.get(PAGE)) == "hit"
    collection(WikiPage).update_one({"_id": doc._id}, {"$set": {"title": "Retitled Raw"}})
    session.close()
    assert "Retitled Raw" in reader.get(PAGE).text


def test_pages_that_are_per_person_or_live_are_not_stored(page, browse):
    reader = browse()
    # the search page is kept now (tests/search/test_search_page_cache.py)
    for url in ("/@@login",):
        reader.get(url)
        assert cache_state(reader.get(url)) is None, url
        reader.reset()               # the login page started a session


def test_a_stored_page_answers_if_none_match_with_304(page, browse):
    reader = browse()
    etag = reader.get(PAGE).headers["ETag"]
    assert reader.get(PAGE, headers={"If-None-Match": etag}, status=304).body == b""
    assert reader.get(PAGE, headers={"If-None-Match": '"other"'}).status_int == 200


def test_saving_the_site_config_never_moves_the_generations_back(page, registry, site):
    before = current_generations(session.db)
    add_entry(registry, node(registry, "/"), "allow", EVERYONE, "create_project", site["ada"])
    session.close()
    after = current_generations(session.db)
    assert after[0] > before[0] and after[1] >= before[1]


class TestTurnedOff:
    @pytest.fixture
    def forge_settings(self):
        return forge_test_settings(**{"forge.page_cache.max_mb": "0", "forge.tools": "tools.wiki",
                                      "forge.load_tool_entry_points": "false"})

    def test_max_mb_zero_turns_the_cache_off(self, page, browse, registry):
        assert registry.forge_page_cache is None
        reader = browse()
        reader.get(PAGE)
        assert cache_state(reader.get(PAGE)) is None
