"""The session's shared forge (``forge.testing_apps``): each test gets the same
configured app, yet starts from an empty database and fresh per-process state.

The first test leaves every kind of state behind; the second (pytest runs a
module's tests in order) checks that none of it is left.  Both run on mim://
and, in the over-the-wire mode, on the server FORGE_TEST_MONGODB_URL names.
"""
import pytest

from forge.bus.registry import Reactor
from forge.model import User, session
from forge.page_cache import HEADER
from forge.testing_apps import fresh_app

# one unit for `--dist loadgroup`: the second test runs after the first, on its worker
pytestmark = pytest.mark.xdist_group("shared-app-isolation")

LEFT_BEHIND = {}


def test_a_test_leaves_state_behind(forge_app, forge_browser, registry, make_user,
                                    make_project):
    ada = make_user("ada")
    make_project("demo", ada)
    anonymous = forge_browser.get("/p/demo/")
    assert anonymous.headers[HEADER] == "miss"            # the page cache holds it
    assert len(registry.forge_page_cache) == 1
    assert registry.forge_tree_cache._entries             # the tree cache too
    registry.settings["forge.base_url"] = "https://left.example/"
    registry.forge_reactors["left-behind"] = Reactor(name="left-behind", topic="#",
                                                     fn=lambda event, context: None)
    registry.forge_left_behind = True
    registry.forge_relay.failures = 7
    session.db["made_by_a_test"].insert_one({"left": True})
    LEFT_BEHIND.update(app=forge_app, settings=dict(registry.settings))


def test_the_next_test_gets_the_same_app_as_new(forge_app, forge_browser, registry,
                                               forge_settings):
    if not LEFT_BEHIND:
        pytest.skip("runs after test_a_test_leaves_state_behind")
    assert forge_app is LEFT_BEHIND["app"]                 # configured once
    session.close()
    assert User.query.find().count() == 0
    assert "made_by_a_test" not in session.db.list_collection_names()
    assert len(registry.forge_page_cache) == 0 and not registry.forge_tree_cache._entries
    assert registry.settings["forge.base_url"] != "https://left.example/"
    assert "left-behind" not in registry.forge_reactors
    assert not hasattr(registry, "forge_left_behind")
    assert registry.forge_relay.failures == 0
    # the site documents are there again, and pages are stored again
    assert forge_browser.get("/p/").headers[HEADER] == "miss"
    assert forge_browser.get("/p/").headers[HEADER] == "hit"
    assert fresh_app(forge_settings) is forge_app


def test_a_test_that_changes_an_index_does_not_leave_it_changed(forge_app, forge_settings):
    users = session.db["user"]
    declared = users.index_information()
    name = next(n for n, info in declared.items() if info["key"] == [("username", 1)])
    users.drop_index(name)
    fresh_app(forge_settings)
    assert session.db["user"].index_information() == declared
