"""The front page of a signed-in reader: their dashboard (``forge.dashboard``).
With ``?q=`` or ``?page=`` the front page is the project list for them too."""
from pyramid.view import view_config

from ..dashboard import recent_activity, tool_panels, watched_nodes
from ..interfaces import ISiteRoot
from ..visibility import NodeResolver
from .auth import readable_roles


@view_config(context=ISiteRoot, is_authenticated=True, without_params=("q", "page"),
             renderer="forge:templates/dashboard/dashboard.jinja2", permission="read")
def dashboard(context, request):
    user = request.user
    roles = readable_roles(request, user)
    projects = [node for node, _names in roles]
    resolver = NodeResolver(request, known=projects)
    return {"roles": roles,
            "panels": tool_panels(request, projects),
            "watched": watched_nodes(request, resolver),
            "activity": recent_activity(request, projects),
            "neighborhood": context["p"],
            "may_create": request.can("create_project", context["p"])}
