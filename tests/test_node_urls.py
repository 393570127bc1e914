"""``request.forge_url`` builds a node's URL itself (``forge.links.node_url``)
where nothing but the tree decides it, and gives the same string as
Pyramid's ``resource_url``; embedding, a virtual root or a URL adapter leave
it to Pyramid."""
import contextlib

import pytest
from pyramid.interfaces import IResourceURL
from pyramid.request import Request
from pyramid.scripting import prepare
from pyramid.traversal import find_resource
from zope.interface import Interface

from forge.actions.projects import install_tool
from forge.embedding import mounted_url
from forge.links import application_url, node_url
from forge.model import session
from forge.testing import forge_test_settings


@pytest.fixture
def forge_settings():
    return forge_test_settings(**{"forge.tools": "tools.notes",
                                  "forge.load_tool_entry_points": "false"})


@pytest.fixture
def site(registry, make_user, make_project):
    ada = make_user("ada")
    demo = make_project("demo", ada)
    install_tool(registry, demo, "notes", "notes", ada)
    sub = make_project("sub", ada, parent=demo)
    install_tool(registry, sub, "notes", "docs", ada)
    session.close()
    return ada


@contextlib.contextmanager
def request_at(registry, path, **environ):
    request = Request.blank(path, environ=environ)
    env = prepare(request=request, registry=registry)
    request.root = env["root"]
    try:
        yield request, env["root"]
    finally:
        env["closer"]()


CASES = [
    ("/", (), {}),
    ("/", ("@@login",), {"query": {"next": "/p/demo/?a=1&b=ü"}}),
    ("/p/", ("@@create",), {}),
    ("/p/demo/", (), {}),
    ("/p/demo/", ("@@activity",), {"query": "q=a b/c", "anchor": "top of page"}),
    ("/p/demo/notes/", ("Guide", "Ünïcode page", "", ), {}),
    ("/p/demo/sub/docs/", ("x/y", 12, "@@edit"), {"anchor": "c-1"}),
    ("/p/demo/sub/docs/", (), {"query": {}, "anchor": ""}),
]


def pyramid_url(request, node, *elements, **kw):
    return mounted_url(request, request.resource_url(node, *elements, **kw))


@pytest.mark.parametrize("path, elements, kw", CASES)
def test_the_same_url_as_pyramid(registry, site, path, elements, kw):
    with request_at(registry, "/", HTTP_HOST="forge.example:8080",
                    SCRIPT_NAME="/app x") as (request, root):
        node = find_resource(root, path)
        expected = pyramid_url(request, node, *elements, **kw)
        assert node_url(request, node, elements, **kw) == expected
        assert request.forge_url(node, *elements, **kw) == expected


def test_application_url_follows_the_environ(registry, site):
    with request_at(registry, "/") as (request, root):
        assert application_url(request) == "http://localhost"
        request.environ["HTTP_HOST"] = "other.example"
        assert application_url(request) == request.application_url == "http://other.example"
        assert request.forge_url(root, "p", "") == "http://other.example/p/"
        request.environ["SCRIPT_NAME"] = "/under"
        assert request.forge_url(root) == "http://other.example/under/"


def test_a_virtual_root_is_left_to_pyramid(registry, site):
    with request_at(registry, "/", HTTP_X_VHM_ROOT="/p/demo") as (request, root):
        node = find_resource(root, "/p/demo/notes/")
        assert node_url(request, node) is None
        assert request.forge_url(node) == "http://localhost/notes/"


class IMarked(Interface):
    pass


class CustomURL:
    def __init__(self, resource, request):
        self.virtual_path = "/custom/"
        self.physical_path = "/custom/"


def test_a_url_adapter_is_left_to_pyramid(registry, site):
    with request_at(registry, "/") as (request, root):
        node = find_resource(root, "/p/demo/")
        assert node_url(request, node) is not None
        registry.registerAdapter(CustomURL, (Interface, Interface), IResourceURL)
        try:
            assert node_url(request, node) is None
            assert request.forge_url(node, "x") == "http://localhost/custom/x"
        finally:
            registry.unregisterAdapter(CustomURL, (Interface, Interface), IResourceURL)


def test_options_it_does_not_build_go_to_pyramid(registry, site):
    with request_at(registry, "/") as (request, root):
        node = find_resource(root, "/p/demo/")
        assert request.forge_url(node, app_url="") == "/p/demo/"
        assert request.forge_url(node, scheme="https") == "https://localhost/p/demo/"
