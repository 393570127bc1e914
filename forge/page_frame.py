"""The page frame of signed-in pages, rendered once per reader and node.

Every page's frame from ``<body>`` to ``<main>`` (``forge:templates/frame/
top.jinja2``: the live-changes attributes and notice, the skip link, and
``frame/header.jinja2``: the header with the reader's menu, the site banner,
breadcrumbs and the project's tool tabs) is the same on every view of a node until something is
written, yet cost a signed-in page a tenth of its time: the tool tabs build
every tool of the project into a Ming object and check its ACL, each link is
a ``resource_url``.  ``page_frame`` keeps the rendered frame in the generation
store (``forge.fragments.reader_cached``): under the site's generations (a
retitled project, a changed ACL or banner, a renamed user all move them), the
reader (user, principals, CSRF token: the sign-out form carries it), and
``frame_key``: everything else the frame shows.  Visitors are rendered every
time (the page cache serves them).
"""
from markupsafe import Markup
from pyramid.renderers import render

from .fragments import reader_cached
from .interfaces import INode
from .links import application_url
from .security import lineage_key
from .views.live_changes import poll_seconds

FRAME_TEMPLATE = "forge:templates/frame/top.jinja2"


def node_key(node):
    """What names a node within one generation: its class and traversal path
    (titles and ACLs along it are covered by the generations)."""
    names = [type(node).__name__]
    while INode.providedBy(node):
        names.append(node.__name__)
        node = node.__parent__
    return tuple(names)


def frame_key(request):
    """What the frame shows besides the generations and the reader: the page's
    node (breadcrumbs, tabs, the current tab), whether the page is an error
    (no trail then), where links point (the application URL and the mounted
    tool's route, ``forge.embedding``), the front page's search box, the
    unread badge (kept per session generation, not per site generation) and
    the live-changes polling period (a setting)."""
    route = getattr(request, "matched_route", None)
    unread = None
    if not request.registry.forge_mailer.enabled:
        unread = request.unread_notifications
    return ("page-frame", node_key(getattr(request, "context", None)),
            getattr(request, "exception", None) is not None,
            application_url(request), route.name if route is not None else None,
            request.search_query(), unread, poll_seconds(request.registry))


def page_frame(request, page_project):
    """The frame's HTML for this page (``base.jinja2``)."""
    def load():
        return Markup(render(FRAME_TEMPLATE, {"page_project": page_project}, request))
    if request.user is None:
        return load()
    return reader_cached(request, frame_key(request), load)


def tool_nav(request, template, tool):
    """A tool's navigation bar (``template`` rendered with ``tool``), kept
    per reader like the frame under the tool's lineage (``forge.security.
    lineage_key``: class, name and stored id up to the root), the application
    URL and the mounted route; rendered every time for a visitor, or for a
    tool outside the stored tree.  The template may show only what those and
    the generations decide: the tool, the reader's permissions on it, whether
    they watch it (``request.is_watching``), the forms' CSRF token::

        {{ request.tool_nav("tools.wiki:templates/wiki/_nav.jinja2", tool) }}
    """
    def load():
        return Markup(render(template, {"tool": tool}, request))
    lineage = lineage_key(tool)
    if request.user is None or lineage is None:
        return load()
    route = getattr(request, "matched_route", None)
    return reader_cached(request, ("tool-nav", template, lineage, application_url(request),
                                   route.name if route is not None else None), load)


def includeme(config):
    config.add_request_method(page_frame, "page_frame")
    config.add_request_method(tool_nav, "tool_nav")
