"""``/rest/@@docs``: the API page, Swagger UI from a package (no CDN)."""
from pyramid.security import NO_PERMISSION_REQUIRED
from pyramid.view import view_config

from ..interfaces import ISiteRoot
from .csrf import REST_VIEW
from .nodes import ROUTE, rest_url


@view_config(**REST_VIEW, route_name=ROUTE, context=ISiteRoot, name="docs", request_method="GET",
             permission=NO_PERMISSION_REQUIRED, renderer="forge.rest:templates/docs.jinja2")
def api_page(context, request):
    return {"spec_url": rest_url(request, context, "openapi.json"),
            "csrf": request.csrf_token if request.user is not None else ""}
