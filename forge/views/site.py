"""The front page: projects the viewer may read, optionally filtered."""
import re

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
    if q:
        query["$or"] = [{"shortname": {"$regex": re.escape(q.lower())}},
                        {"title": {"$regex": re.escape(q), "$options": "i"}}]
    candidates = Project.query.find(query).sort("shortname", 1)
    page = readable_page(request, candidates,
                         lambda doc: ProjectResource(doc, doc.shortname, nb, None),
                         page=page_number(request))
    return {"page": page, "q": q, "neighborhood": nb,
            "may_create": request.can("create_project", nb)}
