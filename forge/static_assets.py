"""Static files served inside the forge's tree, so they follow its mount.

``config.add_forge_static("wiki", "tools.wiki:static")`` serves that
directory at ``@@static-wiki/`` on the site root: ``/@@static-wiki/wiki.css``
standalone, ``/forge/@@static-wiki/wiki.css`` when the forge is mounted at
``/forge`` (``forge.embedding``); nothing lands in a host's URL space.  The
``@@`` keeps traversal from looking the name up as a neighborhood.

Templates link to a file by its asset spec:
``{{ request.forge_static_url('tools.wiki:static/wiki.css') }}``.
"""
from urllib.parse import quote

from pyramid.security import NO_PERMISSION_REQUIRED
from pyramid.static import static_view

from .interfaces import ISiteRoot
from .links import application_url

CACHE_MAX_AGE = 3600


def add_forge_static(config, name, spec):
    """Serve the directory ``spec`` (an asset spec) at ``@@static-<name>/``."""
    spec = spec.rstrip("/")
    assets = config.registry.__dict__.setdefault("forge_static_assets", {})
    config.add_view(static_view(spec, use_subpath=True, cache_max_age=CACHE_MAX_AGE),
                    context=ISiteRoot, name="static-" + name,
                    permission=NO_PERMISSION_REQUIRED)

    def register():
        assets[spec + "/"] = name

    config.action(("forge-static", name), register)


def forge_base_url(request):
    """The URL of the forge's site root (ends with '/').

    Standalone it is ``request.application_url + "/"``, read through
    ``forge.links.application_url`` (computed once per request): a page links
    four or five static files, and webob parses and quotes the host, port and
    script name again on each ``application_url``."""
    mount = request.registry.settings.get("forge.mount_route")
    if mount:
        return request.route_url(mount, traverse=())
    return application_url(request) + "/"


def forge_static_url(request, path):
    """URL of ``path`` (``package:static/file``) in a directory registered
    with ``add_forge_static``."""
    for spec, name in request.registry.forge_static_assets.items():
        if path.startswith(spec):
            return "%s@@static-%s/%s" % (forge_base_url(request), name,
                                          quote(path[len(spec):]))
    raise ValueError("No forge static directory holds %r "
                             "(config.add_forge_static)" % path)


def includeme(config):
    config.add_directive("add_forge_static", add_forge_static)
    config.add_request_method(forge_static_url, "forge_static_url")
    config.add_forge_static("forge", "forge:static")
