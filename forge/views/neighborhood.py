"""Neighborhood pages (``/p/``, ``/u/``): the list of its projects and the
new-project form."""
from pyramid.view import view_config, view_defaults

from ..interfaces import INeighborhood
from ..model import Project
from ..resources import ProjectResource
from ..listing import page_number, readable_page
from .project import create_form


@view_defaults(context=INeighborhood)
class NeighborhoodViews:
    def __init__(self, context, request):
        self.context = context
        self.request = request

    @view_config(page_cache=True, renderer="forge:templates/project/neighborhood.jinja2", permission="read")
    def index(self):
        """Top-level projects of the neighborhood the viewer may read."""
        nb = self.context
        candidates = Project.query.find(
            {"neighborhood_id": nb.doc._id, "parent_id": None, "deleted": False}
        ).sort("shortname", 1)
        page = readable_page(self.request, candidates,
                             lambda doc: ProjectResource(doc, doc.shortname, nb, None),
                             page=page_number(self.request))
        return {"neighborhood": nb, "page": page,
                "may_create": self.request.can("create_project", nb)}

    @view_config(name="create", renderer="forge:templates/project/create.jinja2",
                 permission="create_project")
    def create(self):
        return create_form(self.request, self.context)
