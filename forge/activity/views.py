"""Activity pages: ``@@activity`` on a project (with its subprojects), a tool
and an artifact (with its comments), and ``/u/NAME/@@contributions`` (what a
person did).  Newest first, paged, only what the viewer may read; each page
links its Atom feed (``forge.feeds``) next to it."""
from dataclasses import dataclass

from markupsafe import Markup
from pyramid.httpexceptions import HTTPNotFound
from pyramid.renderers import render
from pyramid.view import view_config

from ..fragments import generation_cached
from ..interfaces import IArtifact, IProject, ITool
from ..links import application_url
from ..model import User
from ..listing import PAGE_SIZE, page_number
from .query import activity_page, stream_of

ENTRIES = "forge:templates/activity/entries.jinja2"


@dataclass(frozen=True)
class KeptPage:
    """A page of a stream as its template shows it: the entries' HTML (None
    when there are none) and where the page is."""
    entries: Markup | None
    page: int
    has_next: bool


def reader_permissions(request):
    """What decides which entries a reader sees: the user (site admins are
    answered before any ACL) and their principals; not the session."""
    user = request.user
    return (user._id if user is not None else None, tuple(request.principals))


def node_id(context):
    """The id of the node's document, from the stored document when the node
    was made from one (``StoredDocument``, ``StoredTool``, ``RawArtifact``):
    a key needs no Ming object."""
    raw = getattr(context.__dict__.get("_doc"), "raw", None)
    return raw["_id"] if isinstance(raw, dict) else context.doc._id


def kept_page(request, context, criteria, page=None, size=PAGE_SIZE, **kw):
    """``activity_page`` rendered once per content generation and reader
    permission set (``forge.fragments``): resolving each entry's node now costs
    a read or two an entry, so a stream read again while nothing was written
    costs none.  The key names the node (its stream and the subtree ``keep``
    tests), the page (``?page=`` unless given) and its size; ``kw`` goes to
    ``activity_page``.  A page showing recent activity (the project home's 10)
    can use it too: ``{{ page.entries }}`` in its template."""
    page = page_number(request) if page is None else page
    key = ("activity", request.view_name, node_id(context), tuple(sorted(criteria.items())),
           page, size, application_url(request), reader_permissions(request))

    def load():
        result = activity_page(request, criteria, page, size, **kw)
        entries = Markup(render(ENTRIES, {"activity": result.items}, request=request)) \
            if result.items else None
        return KeptPage(entries, result.page, result.has_next)
    return generation_cached(request, key, load)


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
    page = kept_page(request, context, criteria, known=(context,), keep=keep)
    return {"project": context, "page": page, "node": context}


@view_config(page_cache=True, context=ITool, name="activity", renderer="forge:templates/activity/stream.jinja2",
             permission="read", request_method=("GET", "HEAD"))
@view_config(page_cache=True, context=IArtifact, name="activity", renderer="forge:templates/activity/stream.jinja2",
             permission="read", request_method=("GET", "HEAD"))
def node_activity(context, request):
    criteria, keep = stream_of(request, context)
    page = kept_page(request, context, criteria, known=(context.project,), keep=keep)
    return {"node": context, "page": page, "heading": "Activity in %s" % context.title,
            "view": "@@activity", "feed_view": "@@activity.atom"}


@view_config(context=IProject, name="contributions", renderer="forge:templates/activity/stream.jinja2",
             page_cache=True, permission="read", request_method=("GET", "HEAD"))
def user_activity(context, request):
    user = user_of(context)
    if user is None:
        raise HTTPNotFound()
    page = kept_page(request, context, {"actor_id": user._id})
    return {"node": context, "page": page, "heading": "Activity of %s" % user.title,
            "view": "@@contributions", "feed_view": "@@contributions.atom"}
