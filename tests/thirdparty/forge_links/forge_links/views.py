"""The one page the links tool changes: a link's page also lists its host's links."""
from forge.api import TypedArtifactViews
from pyramid.view import view_config, view_defaults

from .model import ILink, Link

PAGE = "forge_links:templates/link.jinja2"


@view_defaults(context=ILink)
class LinkViews(TypedArtifactViews):

    @view_config(page_cache=True, name="", request_method="GET", permission="read",
                 renderer=PAGE)
    def show(self):
        page, doc, request = super().show(), self.context.doc, self.request
        same_host = Link.query.find({"tool_id": doc.tool_id, "host": doc.host or None,
                                     "deleted": False, "_id": {"$ne": doc._id}})
        nodes = (self.kind.node(other, self.context.tool_node) for other in same_host)
        page["same_host"] = [node for node in nodes if request.can("read", node)]
        request.override_renderer = PAGE      # super() chose the core's template
        return page
