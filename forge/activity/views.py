"""``@@activity`` on a project: its activity, newest first, paged."""
from pyramid.view import view_config

from ..interfaces import IProject
from ..views.listing import page_number
from .query import activity_page


@view_config(context=IProject, name="activity", renderer="activity/page.jinja2",
             permission="read", request_method=("GET", "HEAD"))
def project_activity(context, request):
    page = activity_page(request, {"project_id": context.doc._id}, page_number(request),
                         known=(context,))
    return {"project": context, "page": page}
