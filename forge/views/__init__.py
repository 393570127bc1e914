"""Pages of the forge core.  One module per resource type or concern."""
from pyramid.csrf import get_csrf_token
from pyramid.interfaces import ISecurityPolicy

from ..embedding import mounted_url
from ..interfaces import INode, ISiteRoot
from ..links import node_url
from ..rendering import markdown_on
from ..resources import lineage_list
from ..security import SITE_ADMIN, authenticated_by_token, can
from .live_changes import live_attributes
from .tool_navigation import tool_tabs


def forge_url(request, node, *elements, **kw):
    """URL of a node, also when the forge is embedded under a route prefix."""
    if kw.keys() <= URL_OPTIONS:
        url = node_url(request, node, elements, **kw)
        if url is not None:
            return url
    return mounted_url(request, request.resource_url(node, *elements, **kw))


# what ``forge.links.node_url`` builds itself; other options go to Pyramid
URL_OPTIONS = frozenset(("query", "anchor"))


def request_can(request, permission, node):
    return can(node, request.principals, permission)


def principals(request):
    return request.registry.getUtility(ISecurityPolicy).principals(request)


def is_site_admin(request):
    return SITE_ADMIN in request.principals


def breadcrumbs(request):
    """The lineage below the root of the page's node (none on error pages)."""
    node = getattr(request, "context", None)
    # an error page's context may be a node the viewer may not read: no trail
    if getattr(request, "exception", None) is not None:
        return []
    if not INode.providedBy(node) or node.__parent__ is None:
        return []
    return lineage_list(node)[1:]


def page_project(request):
    """The project the page belongs to (its title names it), or None."""
    if getattr(request, "exception", None) is not None:
        return None
    node = getattr(request, "context", None)
    project = getattr(node, "project", None) if INode.providedBy(node) else None
    return project if project is not None and INode.providedBy(project) else None


def site_banner(request):
    """The site admins' one-line notice (``@@admin``), read with the site's
    document every request reads anyway; none when the request failed early."""
    root = getattr(request, "root", None)
    return getattr(getattr(root, "doc", None), "banner", "") if root is not None else ""


def sign_in_query(request):
    """The header's "Sign in" comes back to this page (``next``), except from
    the sign-in and sign-up pages themselves and from error pages."""
    if getattr(request, "view_name", "") in ("login", "signup") or getattr(
            request, "exception", None) is not None:
        return {}
    if request.method != "GET":
        return {}
    return {"next": request.path_qs}


def search_query(request):
    """What the header's "Find projects" box shows: the front page's own ``q``
    (other pages' ``q`` is their own search, not a project name)."""
    if not ISiteRoot.providedBy(getattr(request, "context", None)) or getattr(
            request, "view_name", ""):
        return ""
    try:
        return request.GET.get("q", "")[:100]
    except UnicodeDecodeError:
        return ""


def csrf_token(request):
    """The session's CSRF token for forms; none for a request authenticated by
    an API token or Basic credentials alone, which must not start a session."""
    if authenticated_by_token(request) and not request.has_session_cookie:
        return ""
    return get_csrf_token(request)


def includeme(config):
    config.add_jinja2_search_path("forge:templates", name=".jinja2")
    config.add_request_method(lambda r: r.identity, "user", reify=True)
    config.add_request_method(principals, "principals", reify=True)
    config.add_request_method(forge_url, "forge_url")
    config.add_request_method(lambda r, node: lineage_list(node), "lineage")
    config.add_request_method(breadcrumbs, "breadcrumbs")
    config.add_request_method(search_query, "search_query")
    config.add_request_method(page_project, "page_project")
    config.add_request_method(sign_in_query, "sign_in_query")
    config.add_request_method(site_banner, "site_banner")
    config.add_request_method(request_can, "can")
    config.add_request_method(is_site_admin, "is_site_admin", reify=True)
    config.add_request_method(csrf_token, "csrf_token", reify=True)
    config.add_request_method(live_attributes, "live_attributes")
    config.add_request_method(tool_tabs, "tool_tabs")
    config.add_request_method(markdown_on, "markdown")
    config.include("forge.page_frame")
    config.scan(".")
