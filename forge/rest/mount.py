"""Where ``/rest`` is: the site root's ``/rest`` standalone, ``MOUNT/rest`` embedded.

A standalone forge serves the API at ``/rest/`` (``forge.rest.includeme``).
A host that mounts the forge at ``/forge`` (``config.mount_forge``) gets it at
``/forge/rest/`` instead: ``mount_rest`` re-adds the same route (same name, so
every REST view and ``request.route_url`` follow it) under the mount, before
the mount's own catch-all route so it is matched first.  The host's call
overrides the forge's own ``add_route`` by Pyramid's include-path rule (the
including configuration wins), so nothing answers at the host's ``/rest``.

``rest_prefix`` is the path that prefix checks read (the problem documents'
``rest_request`` predicate and their ``type`` URIs).
"""
from ..resources import root_factory

ROUTE = "rest"
REST_PATH = "/rest"


def rest_prefix(registry):
    """``/rest``, or ``/forge/rest`` when the forge is mounted at ``/forge``."""
    return registry.__dict__.get("forge_rest_prefix", REST_PATH)


def add_rest_route(config, mount_path=""):
    config.registry.__dict__["forge_rest_prefix"] = mount_path + REST_PATH
    config.add_route(ROUTE, mount_path + REST_PATH + "/*traverse", factory=root_factory)
