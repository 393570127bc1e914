"""Activity pages: ``@@activity`` on a project (with its subprojects), a tool
and an artifact (with its comments), and ``/u/NAME/@@contributions`` (what a
person did).  Newest first, paged, only what the viewer may read; each page
links its Atom feed (``forge.feeds``) next to it."""
from pyramid.httpexceptions import HTTPNotFound
from pyramid.view import view_config

from ..interfaces import IArtifact, IProject, ITool
from ..model import User
from ..listing import page_number
from .query import activity_page, stream_of


def user_of(context):
    """The user whose personal project ``context`` is, or None."""
    if not getattr(context, "is_user_project", False):
        return None
    user = User.query.get(_id=context.doc.user_id)
    return None if user is None or user.disabled else user


@view_config(page_cache=True, context=IProject, name="activity", renderer="forge:templates/activity/page.jinja2",
             permission="read", request_method=("GET", "HEAD"))
def project_activity(context, request):
    criteria, keep = stream_of(request, context)
    page = activity_page(request, criteria, page_number(request), known=(context,), keep=keep)
    return {"project": context, "page": page, "node": context}


@view_config(page_cache=True, context=ITool, name="activity", renderer="forge:templates/activity/stream.jinja2",
             permission="read", request_method=("GET", "HEAD"))
@view_config(page_cache=True, context=IArtifact, name="activity", renderer="forge:templates/activity/stream.jinja2",
             permission="read", request_method=("GET", "HEAD"))
def node_activity(context, request):
    criteria, keep = stream_of(request, context)
    page = activity_page(request, criteria, page_number(request), known=(context.project,),
                         keep=keep)
    return {"node": context, "page": page, "heading": "Activity in %s" % context.title,
            "view": "@@activity", "feed_view": "@@activity.atom"}


@view_config(context=IProject, name="contributions", renderer="forge:templates/activity/stream.jinja2",
             page_cache=True, permission="read", request_method=("GET", "HEAD"))
def user_activity(context, request):
    user = user_of(context)
    if user is None:
        raise HTTPNotFound()
    page = activity_page(request, {"actor_id": user._id}, page_number(request))
    return {"node": context, "page": page, "heading": "Activity of %s" % user.title,
            "view": "@@contributions", "feed_view": "@@contributions.atom"}
