"""``request.forge_static_url`` builds the same URLs as before it read the
application URL through ``forge.links.application_url`` (once per request)."""
import pytest
from pyramid.config import Configurator
from pyramid.interfaces import VH_ROOT_KEY
from pyramid.request import Request, apply_request_extensions
from pyramid.threadlocal import manager

SPECS = ["forge:static/forge.css", "forge:static/favicon.svg",
         "forge:static/a file with spaces é.css"]


@pytest.fixture
def registry():
    config = Configurator(settings={})
    config.include("forge.static_assets")
    config.commit()
    return config.registry


def request_for(registry, path="/p/demo/", **environ):
    request = Request.blank(path, environ=environ)
    request.registry = registry
    apply_request_extensions(request)
    return request


def webob_static_url(request, path):
    """The URL as built before: from webob's ``application_url`` each time."""
    for spec, name in request.registry.forge_static_assets.items():
        if path.startswith(spec):
            from urllib.parse import quote
            return "%s/@@static-%s/%s" % (request.application_url, name,
                                           quote(path[len(spec):]))
    raise AssertionError(path)


@pytest.mark.parametrize("environ", [
    {},
    {"SCRIPT_NAME": "/forge"},
    {"SCRIPT_NAME": "/a b", "HTTP_HOST": "example.org:8080"},
    {VH_ROOT_KEY: "/p/demo", "HTTP_HOST": "demo.example.org"},
    {"wsgi.url_scheme": "https", "HTTP_HOST": "forge.example.org"},
], ids=["plain", "script-name", "quoted-script-name", "virtual-root", "https"])
def test_static_urls_are_the_ones_webob_builds(registry, environ):
    request = request_for(registry, **environ)
    for spec in SPECS:
        assert request.forge_static_url(spec) == webob_static_url(request, spec)
    assert request.forge_static_url(SPECS[0]).endswith("/@@static-forge/forge.css")


def test_a_request_whose_environ_changes_gets_its_new_url(registry):
    request = request_for(registry)
    before = request.forge_static_url(SPECS[0])
    request.environ["SCRIPT_NAME"] = "/mounted"
    assert request.forge_static_url(SPECS[0]) == "http://localhost/mounted/@@static-forge/forge.css"
    assert before == "http://localhost/@@static-forge/forge.css"


def test_webob_application_url_is_computed_once_per_request(registry, monkeypatch):
    calls = []
    original = Request.application_url

    def counted(self):
        calls.append(1)
        return original.fget(self)
    monkeypatch.setattr(Request, "application_url", property(counted))
    request = request_for(registry)
    for spec in SPECS * 2:
        request.forge_static_url(spec)
    assert len(calls) == 1


def test_a_mounted_forge_links_under_its_route():
    config = Configurator(settings={"forge.mount_route": "forge"})
    config.add_route("forge", "/forge/*traverse")
    config.include("forge.static_assets")
    config.commit()
    request = request_for(config.registry, "/forge/p/", SCRIPT_NAME="/host")
    manager.push({"registry": config.registry, "request": request})
    try:
        assert request.forge_static_url(SPECS[0]) == \
            "http://localhost/host/forge/@@static-forge/forge.css"
    finally:
        manager.pop()
