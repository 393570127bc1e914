"""The front page: projects the viewer may read, optionally filtered."""
from pyramid.view import view_config

from ..interfaces import ISiteRoot
from ..model import Project
from ..resources import ProjectResource
from ..listing import page_number, readable_page


@view_config(page_cache=True, context=ISiteRoot, renderer="forge:templates/site/home.jinja2", permission="read")
def home(context, request):
    nb = context["p"]
    query = {"neighborhood_id": nb.doc._id, "parent_id": None, "deleted": False}
    q = request.GET.get("q", "").strip()[:100]
    # The words are matched here, not in the query: nx-27017 returns nothing for a
    # regex combined with `parent_id: None` (and for `$or`/`$and` beside it), and
    # the list is walked in order for readability anyway.
    wanted = q.casefold()

    def to_node(doc):
        if wanted and wanted not in doc.shortname and wanted not in doc.title.casefold():
            return None
        return ProjectResource(doc, doc.shortname, nb, None)

    candidates = Project.query.find(query).sort("shortname", 1)
    page = readable_page(request, candidates, to_node, page=page_number(request))
    return {"page": page, "q": q, "neighborhood": nb,
            "may_create": request.can("create_project", nb)}
