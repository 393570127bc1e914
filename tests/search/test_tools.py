"""Each tool's artifacts through its ``add_search_type``: tickets with typed and
custom fields, wiki pages, forum threads (a held thread stays out)."""
import pytest

from forge.actions.projects import install_tool
from forge.model import session
from tools.discussion.actions import create_forum, create_thread
from tools.tracker.actions import create_ticket
from tools.wiki.actions import create_page

from .helpers import find, node_at, setup_site


@pytest.fixture
def site(registry, make_user, make_project, run_reactors):
    people = setup_site(registry, make_user, make_project)
    ada, project = people["ada"], people["project"]
    people["tickets"] = install_tool(registry, project, "tracker", "tickets", ada)
    people["wiki"] = install_tool(registry, project, "wiki", "wiki", ada)
    people["forum"] = install_tool(registry, project, "discussion", "forum", ada)
    session.flush()
    return people


def test_tickets_typed_and_custom_fields(registry, site, run_reactors):
    from forge.actions.fields import add_custom_field
    ada, tool = site["ada"], site["tickets"]
    add_custom_field(registry, tool, "severity", "Severity", "select", ada,
                     options=("low", "high"))
    session.flush()
    create_ticket(registry, site["project"], tool, {
        "title": "Crash on start", "description": "The app crashes with a segfault.",
        "labels": ["bug"], "custom": {"severity": "high"}, "priority": "high",
        "assigned_to_id": ada._id}, ada)
    create_ticket(registry, site["project"], tool, {
        "title": "Typo in docs", "description": "A small typo.", "labels": [],
        "custom": {"severity": "low"}}, ada)
    session.flush()
    run_reactors()
    assert find(registry, "segfault") == ["#1 Crash on start"]
    assert find(registry, "severity:high") == ["#1 Crash on start"]
    assert find(registry, "_severity:low") == ["#2 Typo in docs"]
    assert find(registry, "assigned_to:ada") == ["#1 Crash on start"]
    assert sorted(find(registry, "is:open type:ticket")) == ["#1 Crash on start",
                                                             "#2 Typo in docs"]
    assert find(registry, "priority:high label:bug") == ["#1 Crash on start"]


def test_wiki_pages(registry, site, run_reactors):
    ada, tool = site["ada"], site["wiki"]
    create_page(registry, site["project"], tool, "Home", "Home", "Welcome to the quokka wiki.",
                ada)
    create_page(registry, site["project"], tool, "Home/Secret", "Secret", "hidden quokka",
                ada, private=True)
    session.flush()
    run_reactors()
    assert sorted(find(registry, "quokka", site["ada"])) == ["Home", "Secret"]
    assert find(registry, "quokka", site["out"]) == ["Home"]
    assert find(registry, "page:home/secret", site["ada"]) == ["Secret"]


def test_forum_threads_held_ones_stay_out(registry, site, run_reactors):
    ada, out = site["ada"], site["out"]
    forum = create_forum(registry, site["project"], site["forum"], "general", "General",
                         "Talk about the wombat.", ada)
    session.flush()
    forum_node = node_at(registry, "/p/demo/forum/general/")
    create_thread(registry, forum_node, "Wombat care", "Feed the wombat daily.", ada,
                  may_skip_moderation=True)
    # an outsider's thread waits for a moderator: neither subject nor text is found
    create_thread(registry, node_at(registry, "/p/demo/forum/general/"), "Wombat spam",
                  "buy wombat pills", out)
    session.flush()
    run_reactors()
    assert forum.title == "General"
    assert sorted(find(registry, "wombat", ada)) == ["General", "Wombat care"]
    assert find(registry, "pills", ada) == []
    assert find(registry, "daily") == ["Wombat care"]


def test_type_facets_on_the_page(forge_app, registry, site, run_reactors):
    from forge.testing import ForgeBrowser
    ada = site["ada"]
    create_ticket(registry, site["project"], site["tickets"], {
        "title": "Ocelot bug", "description": "ocelot", "labels": [], "custom": {}}, ada)
    create_page(registry, site["project"], site["wiki"], "Ocelot", "Ocelot", "ocelot page", ada)
    session.flush()
    run_reactors()
    page = ForgeBrowser(forge_app).get("/p/demo/@@search", {"q": "ocelot"})
    assert "2 results" in page.text
    assert "tracker.ticket</a> (1)" in page.text and "wiki.page</a> (1)" in page.text
    narrowed = ForgeBrowser(forge_app).get("/p/demo/@@search", {"q": "ocelot type:wiki.page"})
    assert "1 result<" in narrowed.text


def test_add_search_type_is_a_real_directive():
    from pyramid.config import Configurator
    from pyramid.exceptions import ConfigurationConflictError
    from forge.testing import forge_test_settings

    def one(doc, node):
        return {}

    def other(doc, node):
        return {}

    config = Configurator(settings=forge_test_settings())
    config.include("forge.search.directive")
    config.add_search_type("x.thing", one)
    config.commit()
    assert config.registry.forge_search_types == {"x.thing": one}
    config.add_search_type("y.thing", one)
    config.add_search_type("y.thing", other)
    with pytest.raises(ConfigurationConflictError):
        config.commit()
