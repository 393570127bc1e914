"""Serving the forge inside another Pyramid application, safely for the host.

::

    with Configurator(settings=settings) as config:
        config.add_route("home", "/")            # the host's own pages
        config.include("forge")
        config.include("tools.wiki")
        config.include("forge.embedding")
        config.mount_forge("/forge")             # the forge tree under /forge/
        config.mount_tool("/docs", project="demo", mount="wiki")   # one wiki at /docs/

What the forge brings applies under its mounts only (``forge.scope``): its
CSRF rule, error pages, forbidden handling, request limits, bearer tokens,
page cache and sessions.  Static files are served inside the tree
(``forge.static_assets``: ``/forge/@@static-forge/forge.css``).  A host's own
security policy or session factory is refused at configuration time unless
composed with the forge's (``forge.host_policies``); templates are named by
asset spec, so a host's ``base.jinja2`` does not replace the forge's layout.

The REST API follows the mount (``/forge/rest/``, ``forge.rest.mount``).

Forge views are registered without a route, so the mount routes use
``use_global_views``; forge pages build their links with ``request.forge_url``
(``mounted_url`` here), which follows the mount.

The reactors (activity, search, notifications) run as ``mount_forge`` starts
them when the WSGI app is made, the way ``forge serve`` does: in threads of
this process on a ``memory://`` bus; on ``amqp://`` they are separate
processes: run ``forge worker --config production.ini`` next to the host.
"""
from pyramid.events import ApplicationCreated
from pyramid.exceptions import ConfigurationError

from .resources import root_factory
from .rest.mount import add_rest_route
from .scope import add_mount_path

ROUTE_NAME = "forge"
TOOL_ROUTE_PREFIX = "forge-tool:"


def _path(prefix):
    return "/" + prefix.strip("/") if prefix.strip("/") else ""


def mount_forge(config, prefix="/forge", route_name=ROUTE_NAME, workers=True):
    """Serve the forge's tree under ``prefix``; ``workers=False`` leaves the
    reactors to ``forge worker`` (or to tests)."""
    path = _path(prefix)
    registry = config.registry
    registry.settings["forge.mount_route"] = route_name
    add_mount_path(registry, path)
    # the REST API under the mount (/forge/rest/), matched before the tree's route
    add_rest_route(config, path)
    config.add_route(route_name, path + "/*traverse", factory=root_factory,
                     use_global_views=True)
    if workers:
        config.add_subscriber(_start_workers, ApplicationCreated)


def _start_workers(event):
    from .bus.worker import start_embedded_workers
    start_embedded_workers(event.app.registry)


def mount_tool(config, prefix, project, mount, neighborhood="p"):
    """Serve one tool instance (``neighborhood/project/mount`` in the forge's
    tree) at ``prefix`` of the host, with the same permissions: a private
    project's tool is a 404 there too.  Its links stay under ``prefix``;
    links elsewhere in the forge go to the forge's mount, so ``mount_forge``
    comes first."""
    if not config.registry.settings.get("forge.mount_route"):
        raise ConfigurationError("config.mount_tool(%r, ...) needs the forge mounted "
                                 "first: call config.mount_forge(prefix) before it"
                                 % prefix)
    path = _path(prefix)
    if not path:
        raise ConfigurationError("config.mount_tool needs a path, not the site root")
    tree_path = "/%s/%s/%s" % (neighborhood.strip("/"), project.strip("/"), mount.strip("/"))
    route_name = TOOL_ROUTE_PREFIX + path
    registry = config.registry
    add_mount_path(registry, path)
    registry.__dict__.setdefault("forge_tool_mounts", {})[route_name] = tree_path + "/"
    config.add_route(route_name, path + "/*rest", traverse=tree_path + "/*rest",
                     factory=root_factory, use_global_views=True)


def mounted_url(request, url):
    """Where the node at ``url`` (an application URL from ``resource_url``)
    is served: under the mounted tool the request came through, else under
    the forge's mount."""
    path = url[len(request.application_url):]
    route = request.matched_route
    tool_mounts = getattr(request.registry, "forge_tool_mounts", {})
    if route is not None and route.name in tool_mounts:
        tree_path = tool_mounts[route.name]
        if path.startswith(tree_path) or path == tree_path[:-1]:
            return request.route_url(route.name, rest=()) + path[len(tree_path):]
    mount = request.registry.settings.get("forge.mount_route")
    if mount:
        return request.route_url(mount, traverse=()).rstrip("/") + path
    return url


def includeme(config):
    config.add_directive("mount_forge", mount_forge)
    config.add_directive("mount_tool", mount_tool)
