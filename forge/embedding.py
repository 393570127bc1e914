"""Serving the forge inside another Pyramid application, under a URL prefix.

::

    with Configurator(settings=settings) as config:
        config.add_route("home", "/")            # the host's own pages
        config.include("forge")
        config.include("tools.notes")
        config.include("forge.embedding")
        config.mount_forge("/forge")             # the forge tree under /forge/

Forge views are registered without a route, so the mount route uses
``use_global_views``; forge pages build their links with ``request.forge_url``,
which follows the mount route.
"""
from .resources import root_factory

ROUTE_NAME = "forge"


def mount_forge(config, prefix="/forge", route_name=ROUTE_NAME):
    prefix = "/" + prefix.strip("/")
    config.registry.settings["forge.mount_route"] = route_name
    config.add_route(route_name, prefix + "/*traverse", factory=root_factory,
                     use_global_views=True)


def includeme(config):
    config.add_directive("mount_forge", mount_forge)
