"""``/@@bus``: the message bus at a glance, for site admins."""
from pyramid.view import view_config

from ..bus.status import bus_status
from ..interfaces import ISiteRoot


@view_config(context=ISiteRoot, name="bus", permission="admin", renderer="forge:templates/site/bus.jinja2")
def bus_page(context, request):
    return {"status": bus_status(request.registry),
            "bus_url_kind": request.registry.settings["forge.bus.url"].split(":", 1)[0]}
