"""``@@activity.atom`` (project with subprojects, tool, artifact with its
comments) and ``/u/NAME/@@contributions.atom``; the feed-token form.

The feed views are reachable without a session (``NO_PERMISSION_REQUIRED``)
because a feed reader carries a ``?token=`` instead: each view checks ``read``
on its node itself, as the token's user or as the request (anonymous or
signed in), and lists only what that reader may read.  A node the reader may
not read is a 404 like everywhere else; a bad or revoked token a 403.
"""
from pyramid.httpexceptions import HTTPForbidden, HTTPNotFound
from pyramid.response import Response
from pyramid.security import NO_PERMISSION_REQUIRED
from pyramid.view import view_config

from ..actions import ActionError
from ..activity.query import AsReader, activity_page, stream_of
from ..activity.views import user_of
from ..interfaces import IArtifact, IProject, ISiteRoot, ITool
from ..redirects import redirect
from ..security import authenticated_by_token, user_principals
from ..views.auth import CredentialsNeedSignIn
from .atom import absolute, atom_feed
from .tokens import regenerate_feed_token, user_for_token

FEED_SIZE = 25
CONTENT_TYPE = "application/atom+xml"


def feed_reader(request):
    """The request as the reader the feed is for, or None for a bad token."""
    token = request.GET.get("token")
    if not token:
        return request
    user = user_for_token(request.registry, token)
    if user is None:
        return None
    return AsReader(request, user_principals(user))


def feed_response(request, node, title, criteria, keep, html_view, known=()):
    reader = feed_reader(request)
    if reader is None:
        return Response(status=403, content_type="text/plain", charset="utf-8",
                        body=b"This feed token is not valid (it may have been regenerated);"
                             b" copy the feed address again from your account page.\n")
    if not reader.can("read", node):
        raise HTTPNotFound()
    page = activity_page(reader, criteria, 1, FEED_SIZE, known=known, keep=keep)
    query = {"token": request.GET["token"]} if "token" in request.GET else {}
    self_url = absolute(request, request.forge_url(node, "@@" + request.view_name, query=query))
    html_url = absolute(request, request.forge_url(node, html_view))
    body = atom_feed(request, node, title, page.items, html_url, self_url)
    response = Response(body=body, content_type=CONTENT_TYPE, charset="utf-8")
    if query:
        response.cache_control = "private, no-store"
    return response


@view_config(context=IProject, name="activity.atom", permission=NO_PERMISSION_REQUIRED,
             page_cache=True, request_method=("GET", "HEAD"))
@view_config(context=ITool, name="activity.atom", permission=NO_PERMISSION_REQUIRED,
             page_cache=True, request_method=("GET", "HEAD"))
@view_config(context=IArtifact, name="activity.atom", permission=NO_PERMISSION_REQUIRED,
             page_cache=True, request_method=("GET", "HEAD"))
def activity_feed(context, request):
    criteria, keep = stream_of(request, context)
    known = (context,) if context.kind == "project" else (context.project,)
    return feed_response(request, context, "Activity · %s" % context.title, criteria, keep,
                         "@@activity", known)


@view_config(context=IProject, name="contributions.atom", permission=NO_PERMISSION_REQUIRED,
             page_cache=True, request_method=("GET", "HEAD"))
def contributions_feed(context, request):
    user = user_of(context)
    if user is None:
        raise HTTPNotFound()
    return feed_response(request, context, "Activity of %s" % user.title,
                         {"actor_id": user._id}, None, "@@contributions")


@view_config(context=ISiteRoot, name="feed-token", permission="read", request_method="POST")
def new_feed_token(context, request):
    """Regenerate the signed-in user's feed token (old feed URLs stop working)."""
    if request.user is None:
        raise HTTPForbidden()
    if authenticated_by_token(request):
        # a feed token is a credential: a leaked API token must not mint one
        raise CredentialsNeedSignIn("An API token cannot change the account's feed "
                                    "token: sign in with your password to do that.")
    try:
        regenerate_feed_token(request.registry, request.user)
    except ActionError as error:
        raise HTTPForbidden(str(error))
    request.session.flash("Your feed token is new: feed addresses with the old one no "
                          "longer work.")
    return redirect(request, request.forge_url(request.root, "@@account") + "#feeds")
