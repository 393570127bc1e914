"""Short links in Markdown: [#12], [mount:thing], [project:mount:thing] and
[[Page]]; literal when they do not resolve, never inside code, never leaking
a private project, always through the sanitiser; cached per link context."""
import contextlib
import re
from html.parser import HTMLParser

import pytest
from pyramid.request import Request
from pyramid.scripting import prepare
from pyramid.traversal import find_resource

from forge.actions.projects import install_tool
from forge.links import link_context
from forge.model import session
from forge.rendering import render_markdown, render_versioned
from forge.resources.tool import ToolResource
from forge.testing import forge_test_settings


def includeme(config):
    """Two tool types for these tests only (the suite must not depend on the
    tracker and wiki being written meanwhile)."""
    config.add_tool("hashy", title="Hashy", resource=ToolResource, hash_links=True)
    config.add_tool("resolving", title="Resolving", resource=ToolResource,
                    link_resolver="tests.test_links.by_query")


def by_query(request, tool, thing):
    if thing == "nothing":
        return None
    return request.forge_url(tool, query={"name": thing})


@pytest.fixture
def forge_settings():
    return forge_test_settings(**{"forge.tools": "tools.notes tests.test_links",
                                  "forge.load_tool_entry_points": "false"})


@pytest.fixture
def site(registry, make_user, make_project):
    ada = make_user("ada")
    demo = make_project("demo", ada)
    install_tool(registry, demo, "notes", "notes", ada)
    install_tool(registry, demo, "hashy", "tickets", ada)
    install_tool(registry, demo, "resolving", "docs", ada)
    other = make_project("other", ada)
    install_tool(registry, other, "notes", "notes", ada)
    secret = make_project("secret", ada, private=True)
    install_tool(registry, secret, "notes", "notes", ada)
    sub = make_project("sub", ada, parent=demo)
    install_tool(registry, sub, "notes", "wiki", ada)
    session.close()
    return ada


@contextlib.contextmanager
def request_at(registry, path):
    request = Request.blank(path)
    env = prepare(request=request, registry=registry)
    request.root = env["root"]
    try:
        yield request, find_resource(env["root"], path)
    finally:
        env["closer"]()


def render(registry, text, path="/p/demo/notes/", wiki_links=None):
    with request_at(registry, path) as (request, node):
        return str(render_markdown(text, links=link_context(request, node,
                                                              wiki_links=wiki_links)))


def test_hash_links_go_to_the_hash_tool(registry, site):
    html = render(registry, "See [#12] and [#7].")
    assert '<a href="http://localhost/p/demo/tickets/12/" class="short-link"' in html
    assert ">#12</a>" in html and "/tickets/7/" in html


def test_mount_links_in_the_same_project(registry, site):
    html = render(registry, "[notes:Guide] [notes:Guide/Install] [nope:Guide]")
    assert 'href="http://localhost/p/demo/notes/Guide/"' in html
    assert 'href="http://localhost/p/demo/notes/Guide/Install/"' in html
    assert "[nope:Guide]" in html and "/nope/" not in html


def test_a_tool_type_may_resolve_its_own_links(registry, site):
    html = render(registry, "[docs:Some Page] [docs:nothing]")
    assert 'href="http://localhost/p/demo/docs/?name=Some+Page"' in html
    assert "[docs:nothing]" in html


def test_links_to_another_project(registry, site):
    html = render(registry, "[other:notes:Home] [secret:notes:Home] [demo/sub:wiki:Home]"
                  " [missing:notes:Home]")
    assert 'href="http://localhost/p/other/notes/Home/"' in html
    # a private project's existence is not revealed by a link
    assert "[secret:notes:Home]" in html and "/p/secret/" not in html
    assert 'href="http://localhost/p/demo/sub/wiki/Home/"' in html
    assert "[missing:notes:Home]" in html


def test_inside_the_private_project_its_own_links_work(registry, site):
    """For its readers (anonymous visitors never see its pages)."""
    with request_at(registry, "/p/secret/notes/") as (request, node):
        html = str(render_markdown("[notes:Home] [secret:notes:Home]", links=link_context(
            as_reader(request, SITE_ADMIN), node)))
    assert html.count('href="http://localhost/p/secret/notes/Home/"') == 2


def test_subproject_pages_resolve_in_their_project(registry, site):
    html = render(registry, "[wiki:Home] [notes:Home] [#3]", path="/p/demo/sub/wiki/")
    assert 'href="http://localhost/p/demo/sub/wiki/Home/"' in html
    assert "[notes:Home]" in html and "[#3]" in html      # no hash tool there


def test_code_keeps_short_links_as_text(registry, site):
    html = render(registry, "`[#12]` and\n\n    [notes:Guide]\n\n```\n[#3]\n```\n")
    assert "<a" not in html
    assert "<code>[#12]</code>" in html


def test_ordinary_links_and_references_are_untouched(registry, site):
    html = render(registry, "[notes:Guide](https://example.org/) [#12][ref]\n\n"
                  "[ref]: https://example.org/r\n")
    assert 'href="https://example.org/"' in html and "/p/demo/notes/Guide/" not in html
    assert 'href="https://example.org/r"' in html
    # as with [a [b](c)](d) in CommonMark, links never nest: the inner one wins
    # (the outer one's URL, left as text, is a bare URL: linkify makes it a link)
    nested = render(registry, "[see [#12]](https://example.org/)")
    assert nested.count("<a ") == 2 and re.search(r"<a [^>]*>[^<]*<a ", nested) is None


def test_without_a_link_context_nothing_changes(registry, site):
    assert str(render_markdown("[#12] [notes:Guide] [[Page]]")) == \
        "<p>[#12] [notes:Guide] [[Page]]</p>\n"


def test_wiki_links_with_missing_pages(registry, site):
    def wiki(name):
        if name == "Gone":
            return None
        return "http://localhost/p/demo/notes/" + name.replace(" ", "_") + "/", name == "Home"

    html = render(registry, "[[Home]] [[New Page]] [[Gone]]", wiki_links=wiki)
    assert '<a href="http://localhost/p/demo/notes/Home/" class="wiki-link"' in html
    assert 'class="wiki-link missing"' in html and ">New Page</a>" in html
    assert "[[Gone]]" in html


XSS = [
    "[[<script>alert(1)</script>]]",
    "[[\"><img src=x onerror=alert(1)>]]",
    "[x:javascript:alert(1)]",
    "[notes:javascript:alert(1)]",
    "[notes:\"><script>alert(1)</script>]",
    "[notes:<img src=x onerror=alert(1)>]",
    "[#1\"onmouseover=alert(1)]",
    "[javascript:notes:alert(1)]",
]


class Elements(HTMLParser):
    def __init__(self, html):
        super().__init__()
        self.found = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


@pytest.mark.parametrize("payload", XSS)
def test_xss_in_short_links_never_executes(registry, site, payload):
    def wiki(name):
        return 'javascript:alert("%s")' % name, False      # a hostile resolver

    html = render(registry, payload, wiki_links=wiki)
    for tag, attrs in Elements(html).found:
        assert tag in ("p", "a"), html
        assert not any(name.startswith("on") for name in attrs), html
        href = attrs.get("href")
        assert href is None or href.startswith("http://localhost/p/"), html
    assert "javascript:" not in "".join(str(a.get("href")) for _t, a in Elements(html).found)


def test_rendered_links_are_cached_per_context(registry, site, make_project):
    with request_at(registry, "/p/demo/notes/") as (request, node):
        links = link_context(request, node)
        first = render_versioned("a1", 1, "[#5] [notes:X]", links=links)
        assert render_versioned("a1", 1, "[#5] [notes:X]", links=link_context(request, node)) \
            is first
        # another project's pages have another key
        assert render_versioned("a1", 1, "[#5] [notes:X]") != first
    # a changed tree (a tool installed) is a new key: [wiki:X] now resolves
    with request_at(registry, "/p/demo/notes/") as (request, node):
        assert "[wiki:X]" in str(render_versioned("a2", 1, "[wiki:X]",
                                                  links=link_context(request, node)))
    from forge.model import Neighborhood, Project
    demo = Project.query.get(shortname="demo", neighborhood_id=Neighborhood.query.get(
        name="p")._id)
    install_tool(registry, demo, "notes", "wiki", site)
    session.close()
    with request_at(registry, "/p/demo/notes/") as (request, node):
        html = str(render_versioned("a2", 1, "[wiki:X]", links=link_context(request, node)))
        assert 'href="http://localhost/p/demo/wiki/X/"' in html


def test_a_tools_own_parser_can_have_the_rule(registry, site):
    from markdown_it import MarkdownIt
    from forge.rendering import add_short_links, sanitize_html
    parser = add_short_links(MarkdownIt("commonmark"))
    with request_at(registry, "/p/demo/notes/") as (request, node):
        html = sanitize_html(parser.render("[#4]", {"forge_links": link_context(request, node)}))
    assert html == ('<p><a href="http://localhost/p/demo/tickets/4/" class="short-link" '
                    'rel="nofollow noopener">#4</a></p>\n')


# -- a target the reader may not read is a missing one ------------------------------

@pytest.fixture
def private_tool(registry, site):
    """demo/hidden: a notes tool only demo's members may read (and also a
    private hash tool, first by mount, to which [#n] must not go)."""
    from forge.actions.acl import set_privacy
    from forge.model import Neighborhood, Project
    demo = Project.query.get(shortname="demo", neighborhood_id=Neighborhood.query.get(
        name="p")._id)
    install_tool(registry, demo, "notes", "hidden", site)
    install_tool(registry, demo, "hashy", "aaa-bugs", site)
    session.close()
    for mount in ("hidden", "aaa-bugs"):
        with request_at(registry, "/p/demo/%s/" % mount) as (request, node):
            set_privacy(registry, node, True, site)
    session.close()


def as_reader(request, principals):
    request.principals = principals         # the reified request method, given
    return request


ANONYMOUS = ["system.Everyone"]
SITE_ADMIN = ["system.Everyone", "system.Authenticated", "site:admin"]


def test_a_link_to_a_tool_the_reader_may_not_read_is_text(registry, site, private_tool):
    text = "[hidden:Plan] [nosuchtool:Plan] [#3]"
    with request_at(registry, "/p/demo/notes/") as (request, node):
        html = str(render_markdown(text, links=link_context(as_reader(request, ANONYMOUS),
                                                            node)))
    assert "hidden" not in html.replace("[hidden:Plan]", "")
    assert "[hidden:Plan]" in html and "[nosuchtool:Plan]" in html
    # exactly like a missing mount: the same markup around it
    assert html.replace("[hidden:Plan]", "[nosuchtool:Plan]", 1).count(
        "[nosuchtool:Plan]") == 2
    assert 'href="http://localhost/p/demo/tickets/3/"' in html    # the readable hash tool
    with request_at(registry, "/p/demo/notes/") as (request, node):
        html = str(render_markdown(text, links=link_context(as_reader(request, SITE_ADMIN),
                                                            node)))
    assert 'href="http://localhost/p/demo/hidden/Plan/"' in html
    assert 'href="http://localhost/p/demo/aaa-bugs/3/"' in html


def test_cached_html_of_one_reader_is_never_served_to_another(registry, site, private_tool):
    text = "[hidden:Plan]"
    with request_at(registry, "/p/demo/notes/") as (request, node):
        links = link_context(as_reader(request, SITE_ADMIN), node)
        admin_html = str(render_versioned("c1", 1, text, links=links))
    assert "/p/demo/hidden/Plan/" in admin_html
    with request_at(registry, "/p/demo/notes/") as (request, node):
        links = link_context(as_reader(request, ANONYMOUS), node)
        anonymous_html = str(render_versioned("c1", 1, text, links=links))
    assert "/p/demo/hidden/" not in anonymous_html and "[hidden:Plan]" in anonymous_html


def test_the_long_form_in_the_same_project_follows_the_same_rule(registry, site,
                                                                 private_tool):
    with request_at(registry, "/p/demo/notes/") as (request, node):
        html = str(render_markdown("[demo:hidden:Plan] [demo:notes:Plan]",
                                   links=link_context(as_reader(request, ANONYMOUS), node)))
    assert "/p/demo/hidden/" not in html and "[demo:hidden:Plan]" in html
    assert 'href="http://localhost/p/demo/notes/Plan/"' in html
