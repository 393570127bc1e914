"""Bare ``#12`` and ``@name`` in Markdown (forge.autolinks): a link only to a
ticket that exists and that this reader may read, only to an enabled user;
the render cache keeps the marks, each reader gets their own links."""
import contextlib
import re

import pytest
from pyramid.request import Request
from pyramid.scripting import prepare
from pyramid.traversal import find_resource

from forge.actions.projects import install_tool
from forge.actions.users import set_disabled
from forge.links import link_context
from forge.model import Artifact, Project, ToolInstance, User, session
from forge.rendering import render_markdown, render_versioned
from forge.security import user_principals
from forge.testing import forge_test_settings


@pytest.fixture
def forge_settings():
    return forge_test_settings(**{"forge.tools": "tools.notes tools.tracker",
                                  "forge.load_tool_entry_points": "false"})


@pytest.fixture
def site(registry, make_user, make_project):
    from tools.tracker.actions import create_ticket
    ada = make_user("ada")
    make_user("bob")
    carol = make_user("carol")
    set_disabled(carol, True, ada)
    demo = make_project("demo", ada)
    install_tool(registry, demo, "notes", "notes", ada)
    install_tool(registry, demo, "tracker", "tickets", ada)
    bare = make_project("bare", ada)
    install_tool(registry, bare, "notes", "notes", ada)
    tool = ToolInstance.query.get(project_id=demo._id, mount="tickets")
    for title, private in (("Crash on start", False), ("A secret bug", True),
                           ("Deleted one", False)):
        create_ticket(registry, Project.query.get(_id=demo._id), tool,
                      {"title": title, "description": "", "labels": [], "custom": {},
                       "ext": {}}, User.query.get(_id=ada._id), private=private)
    deleted = Artifact.query.get(tool_id=tool._id, path="3")
    deleted.deleted = True
    session.flush()
    session.close()
    return ada


@contextlib.contextmanager
def reader_at(registry, path, username=None):
    request = Request.blank(path)
    env = prepare(request=request, registry=registry)
    request.root = env["root"]
    if username is not None:
        request.principals = user_principals(User.query.get(username=username))
    try:
        yield request, find_resource(env["root"], path)
    finally:
        env["closer"]()


def render(registry, text, username=None, path="/p/demo/notes/"):
    with reader_at(registry, path, username) as (request, node):
        return str(render_markdown(text, links=link_context(request, node)))


def links_in(html):
    return re.findall(r'<a class="([\w-]+)" href="([^"]+)" title="([^"]*)">([^<]+)</a>', html)


def test_a_readable_ticket_is_linked_with_its_title(registry, site):
    html = render(registry, "See #1, (#1) and *#1*.")
    assert links_in(html)[0] == ("ticket-ref", "http://localhost/p/demo/tickets/1/",
                                 "#1 Crash on start", "#1")
    assert len(links_in(html)) == 3


@pytest.mark.parametrize("text", ["#2", "#3", "#99", "#0"])
def test_private_deleted_and_missing_tickets_stay_text(registry, site, text):
    html = render(registry, "about %s here" % text)
    assert links_in(html) == [] and text in html
    assert "secret" not in html.lower() and "Deleted one" not in html


def test_the_private_ticket_is_linked_for_who_may_read_it(registry, site):
    assert [l[1] for l in links_in(render(registry, "#2", "ada"))] == [
        "http://localhost/p/demo/tickets/2/"]
    assert links_in(render(registry, "#2", "bob")) == []


def test_one_cached_render_gives_each_reader_their_own_links(registry, site):
    """The render cache is per content: the marks are resolved after it."""
    def render_cached(username):
        with reader_at(registry, "/p/demo/notes/", username) as (request, node):
            return str(render_versioned("note-x", 1, "#1 and #2", links=link_context(
                request, node)))
    assert len(links_in(render_cached("ada"))) == 2
    bobs = render_cached("bob")
    assert [l[3] for l in links_in(bobs)] == ["#1"] and "A secret bug" not in bobs
    assert len(links_in(render_cached("ada"))) == 2


@pytest.mark.parametrize("text", ["`#1`", "a#1", "https://example.org/x#1", "#1a", "##1",
                                  "    #1 in code", "[#1 text](https://example.org/)"])
def test_no_reference_inside_code_words_urls_or_links(registry, site, text):
    assert [l for l in links_in(render(registry, text)) if l[0] == "ticket-ref"] == []


def test_no_hash_tool_no_link(registry, site):
    assert links_in(render(registry, "#1", path="/p/bare/notes/")) == []


def test_mentions_link_enabled_users_only(registry, site):
    html = render(registry, "Thanks @bob, @bob- and (@ada). Not @carol, @nobody, "
                            "bob@example.org or `@bob`.")
    found = links_in(html)
    assert [(l[0], l[1], l[3]) for l in found] == [
        ("mention", "http://localhost/u/bob", "@bob"),
        ("mention", "http://localhost/u/bob", "@bob"),
        ("mention", "http://localhost/u/ada", "@ada")]
    assert "@carol" in html and "@nobody" in html


def test_without_a_link_context_marks_are_plain_text(registry, site):
    html = str(render_markdown("#1 @bob"))
    assert "<a " not in html and "#1" in html and "@bob" in html
