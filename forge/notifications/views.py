"""Pages of notifications: watch/unwatch on projects, tools and artifacts,
the account page's mail preference, the signed unsubscribe page, and the
in-app notifications (``@@notifications``) of a site that sends no mail.

``@@unsubscribe`` needs no sign-in: the signed token is its authority.  GET
shows a confirmation (mail scanners follow links; they must not unsubscribe
anyone), POST unsubscribes; the POST is also RFC 8058's one-click target
(``List-Unsubscribe=One-Click`` from the mail provider, without cookies), so
it takes no CSRF token.
"""
from pyramid.httpexceptions import HTTPForbidden
from pyramid.security import NO_PERMISSION_REQUIRED
from pyramid.view import view_config

from ..actions import ActionError
from ..fragments import generation_cached
from ..interfaces import IArtifact, IProject, ISiteRoot, ITool
from ..model import User
from ..model.session import collection
from ..listing import page_number
from ..redirects import redirect
from . import in_app
from .model import DIGEST, EACH, NONE, Watch
from .tokens import read_token
from .watches import (frequency_of, is_watching as watching, node_doc, set_frequency,
                      set_watch, unwatch_node, watch_key, watcher_ids)

FREQUENCY_LABELS = ((EACH, "Each change"), (DIGEST, "Daily digest"), (NONE, "No e-mail"))


def _watch(context, request, on):
    if request.user is None:
        raise ActionError("Sign in to watch.")
    doc = context.doc
    set_watch(request.registry, context.kind, doc, request.user, watch=on)
    what = {"project": "project", "tool": "tool"}.get(context.kind, "page")
    request.session.flash("You are watching this %s." % what if on
                          else "You no longer watch this %s." % what)
    return redirect(request, request.forge_url(context))


def watch(context, request):
    return _watch(context, request, True)


def unwatch(context, request):
    return _watch(context, request, False)


def add_watch_views(config):
    """``@@watch`` / ``@@unwatch`` (POST, ``read``) on every project, tool and artifact."""
    for iface in (IProject, ITool, IArtifact):
        config.add_view(watch, context=iface, name="watch", request_method="POST",
                        permission="read")
        config.add_view(unwatch, context=iface, name="unwatch", request_method="POST",
                        permission="read")


@view_config(context=ISiteRoot, name="mail-preference", request_method="POST",
             permission="read")
def mail_preference(context, request):
    """The account page's "E-mail notifications" form."""
    if request.user is None:
        raise ActionError("Sign in to choose your e-mail notifications.")
    frequency = set_frequency(request.registry, request.user,
                              request.POST.get("frequency", ""))
    label = dict(FREQUENCY_LABELS)[frequency].lower()
    request.session.flash("E-mail notifications: %s." % label)
    return redirect(request, request.forge_url(request.root, "@@account",
                                                anchor="notifications"))


def _unsubscribe_target(request):
    token = request.params.get("token", "")
    found = read_token(request.registry.settings["forge.secret"], token)
    if found is None:
        raise ActionError("This unsubscribe link is not valid (it may have been cut "
                          "by your mail program); sign in and use your account page.")
    user_id, target = found
    user = User.query.get(_id=user_id)
    if user is None:
        raise ActionError("This unsubscribe link names an account that no longer exists.")
    return token, user, target


def _target_title(user, target):
    if target == "all":
        return None
    watch = collection(Watch).find_one({"_id": watch_key(user._id, target[2:])}) or {}
    return {"project": "this project", "tool": "this tool"}.get(watch.get("kind"),
                                                                "this page")


@view_config(context=ISiteRoot, name="unsubscribe", request_method=("GET", "HEAD"),
             renderer="forge:templates/notifications/unsubscribe.jinja2", permission=NO_PERMISSION_REQUIRED)
def unsubscribe_confirm(context, request):
    token, user, target = _unsubscribe_target(request)
    return {"token": token, "account": user, "everything": target == "all",
            "what": _target_title(user, target), "done": False}


@view_config(context=ISiteRoot, name="unsubscribe", request_method="POST",
             renderer="forge:templates/notifications/unsubscribe.jinja2", permission=NO_PERMISSION_REQUIRED,
             require_csrf=False)
def unsubscribe(context, request):
    token, user, target = _unsubscribe_target(request)
    if target == "all":
        set_frequency(request.registry, user, NONE, source="mail")
    else:
        unwatch_node(request.registry, user, target[2:], source="mail")
    return {"token": token, "account": user, "everything": target == "all",
            "what": None, "done": True}


def is_watching(request, node):
    """``request.is_watching(node)``: for the watch button.  Kept per
    generation (a watch's write moves ``content``): a query less per page."""
    user = request.user
    if user is None:
        return False
    node_id = node_doc(node)._id
    return generation_cached(request, ("watching", user._id, node_id),
                             lambda: watching(user._id, node_id))


def watcher_count(request, node):
    """``request.watcher_count(node)``: how many watch this very node."""
    node_id = node_doc(node)._id
    return generation_cached(request, ("watchers", node_id),
                             lambda: len(watcher_ids(node_id)))


def mail_frequency(request):
    """``request.mail_frequency``: the signed-in user's choice."""
    return frequency_of(request.user._id) if request.user is not None else NONE


@view_config(context=ISiteRoot, name="notifications", request_method="GET",
             renderer="forge:templates/notifications/in_app.jinja2", permission="read")
def notifications_page(context, request):
    """What the reader's watches told them, when the site sends no mail."""
    if request.user is None:
        raise HTTPForbidden("Sign in to see your notifications.")
    page = page_number(request)
    items, has_next = in_app.readable_notifications(request, page)
    return {"items": items, "page": page, "has_next": has_next,
            "mail_enabled": request.registry.forge_mailer.enabled}


@view_config(context=ISiteRoot, name="notifications", request_method="POST", permission="read")
def mark_notifications_read(context, request):
    if request.user is None:
        raise HTTPForbidden("Sign in to see your notifications.")
    in_app.mark_all_read(request.user._id)
    request.session.flash("All notifications are marked as read.")
    return redirect(request, request.forge_url(context, "@@notifications"))
