"""Which requests are the forge's: the ones its rules apply to.

A standalone forge answers every request.  Embedded in a host application
(``forge.embedding``), it answers only the paths it is mounted at (the forge
tree, ``mount_forge``; single tools, ``mount_tool``): there and only there do
its CSRF rule, error pages, request limits, bearer tokens, page cache and
session apply, so a host's own views, error pages and limits are untouched.

* ``in_forge(request)``: the test every forge-wide rule asks;
* ``forge_request=True``: a view predicate (the forge's exception views carry
  it, so they never answer a host request, and a host's own exception views,
  which lack it, rank below them on forge requests);
* ``forge_csrf_view``: the forge's CSRF rule as a view deriver instead of
  Pyramid's global default options, which would govern the host's views too.
"""
from pyramid.csrf import check_csrf_origin, check_csrf_token

from .security import needs_csrf_check

SAFE_METHODS = frozenset(("GET", "HEAD", "OPTIONS", "TRACE"))


def mount_paths(registry):
    """The paths the forge is mounted at, or None when it answers everything."""
    return getattr(registry, "forge_mount_paths", None)


def add_mount_path(registry, path):
    """``path`` is normalised: ``""`` for the whole site, else ``/name``."""
    paths = registry.__dict__.setdefault("forge_mount_paths", [])
    if path not in paths:
        paths.append(path)


def in_forge(request):
    paths = mount_paths(request.registry)
    if paths is None:
        return True
    path = request.path_info
    return any(not mount or path == mount or path.startswith(mount + "/")
               for mount in paths)


class ForgeRequestPredicate:
    """``forge_request=True``: the view answers only requests under the forge."""

    def __init__(self, value, config):
        self.value = bool(value)

    def text(self):
        return "forge_request = %s" % self.value

    phash = text

    def __call__(self, context, request):
        return in_forge(request) == self.value


def forge_csrf_view(view, info):
    """Every unsafe request under the forge needs the session's CSRF token
    (unless authenticated by an API token alone, see ``needs_csrf_check``);
    a view opts out with ``require_csrf=False``.  Exception views are not
    checked again (the request that failed was, if it had to be)."""
    if info.options.get("require_csrf") is False:
        return view

    def csrf_checked_view(context, request):
        if (request.method not in SAFE_METHODS
                and getattr(request, "exception", None) is None
                and in_forge(request) and needs_csrf_check(request)):
            check_csrf_origin(request)
            check_csrf_token(request)
        return view(context, request)

    return csrf_checked_view


def includeme(config):
    config.add_view_predicate("forge_request", ForgeRequestPredicate)
    config.add_view_deriver(forge_csrf_view, under="csrf_view", over="owrapped_view")
