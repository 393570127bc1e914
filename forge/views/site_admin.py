"""Site administration at ``/@@admin`` (site admins only; linked from the header).

``@@admin`` is the overview and the banner; ``@@admin-users`` finds, pages,
disables and enables accounts, grants or takes site admin rights and forces a
password reset (``forge.actions.password_reset``);
``@@admin-projects`` lists every project (deleted and private ones too) and
deletes or undeletes one with its subprojects; ``@@admin-audit`` reads the
site-wide audit log newest first, filtered by actor, node, kind and time.
Each page posts back to itself with an ``action`` field; a refused change
shows the page again with the message and the refusal's status.
"""
import datetime

from pyramid.httpexceptions import HTTPBadRequest
from pyramid.view import view_config

from ..actions import ActionError
from ..actions.password_reset import force_password_reset
from ..actions.site_admin import (MAX_BANNER, check_not_self, find_user, set_banner,
                                  set_project_deleted, set_site_admin)
from ..actions.spam_accounts import SpamHiding
from ..actions.users import set_disabled
from ..interfaces import ISiteRoot
from ..model import Neighborhood, Project, User
from ..model.acl import is_private
from ..model.change_log import ChangeLogEntry
from ..model.site import SiteConfig
from ..redirects import redirect
from ..unit_of_work import form_version
from ..user_lookup import usernames
from .params import int_param

PAGE = 50
MAX_PAGE = 2000
MAX_QUERY = 100
# the audit log's kinds: the first word of an entry's action
AUDIT_KINDS = ("user", "project", "tool", "acl", "role", "token", "site", "artifact",
               "field", "webhook")


def page_number(request):
    return int_param(request.GET, "page", "page number", minimum=1, maximum=MAX_PAGE,
                     default=1)


def walk_page(cursor, keep, page, size=PAGE):
    """Page ``page`` of the documents of ``cursor`` that ``keep`` accepts:
    (items, has_next).  Filters that the embedded server cannot run with an
    index (substring matches) are applied here, in order."""
    start, stop = (page - 1) * size, page * size
    items, seen = [], 0
    for doc in cursor:
        if not keep(doc):
            continue
        if start <= seen < stop:
            items.append(doc)
        seen += 1
        if seen > stop:
            break
    return items, seen > stop


# --------------------------------------------------------------- overview and banner

@view_config(context=ISiteRoot, name="admin", permission="admin", request_method="GET",
             renderer="forge:templates/site_admin/index.jinja2")
def overview(context, request, error=None, banner=None):
    site = SiteConfig.query.get(key="site")
    return {"site": site, "error": error, "max_banner": MAX_BANNER,
            "banner": site.banner if banner is None else banner,
            "users": User.query.find().count(),
            "disabled": User.query.find({"disabled": True}).count(),
            "projects": Project.query.find({"deleted": False}).count(),
            "deleted": Project.query.find({"deleted": True}).count()}


@view_config(context=ISiteRoot, name="admin", permission="admin", request_method="POST",
             renderer="forge:templates/site_admin/index.jinja2")
def change_banner(context, request):
    text = request.POST.get("banner", "")
    try:
        set_banner(request.registry, text, request.user, version=form_version(request.POST))
    except ActionError as e:
        request.response.status_int = e.status
        return overview(context, request, error=str(e), banner=text)
    request.session.flash("The banner is %s." % ("up" if text.strip() else "down"))
    return redirect(request, request.forge_url(context, "@@admin"))


# --------------------------------------------------------------- users

def users_page(request, error=None):
    q = request.GET.get("q", "").strip()[:MAX_QUERY].casefold()
    state = request.GET.get("state", "")
    query = {}
    if state == "disabled":
        query["disabled"] = True
    elif state == "admins":
        query["site_admin"] = True

    def keep(user):
        return not q or q in user.username or q in (user.email or "").casefold() \
            or q in (user.display_name or "").casefold()

    page = page_number(request)
    users, has_next = walk_page(User.query.find(query).sort("username", 1), keep, page)
    # who was disabled as spam (their content hidden): one small indexed query per user
    spam_ids = {u._id for u in users if SpamHiding.query.get(user_id=u._id) is not None}
    return {"users": users, "q": q, "state": state, "page": page, "has_next": has_next,
            "error": error, "spam_ids": spam_ids}


@view_config(context=ISiteRoot, name="admin-users", permission="admin", request_method="GET",
             renderer="forge:templates/site_admin/users.jinja2")
def users(context, request):
    return users_page(request)


def apply_user_action(action, user, actor, registry=None):
    """One of the users page's buttons; returns the message to flash."""
    if action == "disable":
        check_not_self(user, actor, "disable")
        set_disabled(user, True, actor)
        return "Disabled %s: their sessions ended and their tokens stopped working." % user.username
    if action == "enable":
        set_disabled(user, False, actor)
        return "Enabled %s." % user.username
    if action == "force-reset":
        mailed = force_password_reset(registry, user, actor)
        return ("%s must choose a new password at their next sign-in; their sessions and "
                "API tokens ended%s." % (user.username, ", and a reset link is on its way"
                                         if mailed else ""))
    if action in ("grant-admin", "revoke-admin"):
        set_site_admin(user, action == "grant-admin", actor)
        return ("%s is a site admin now." if action == "grant-admin"
                else "%s is no longer a site admin.") % user.username
    raise ActionError("Unknown action %r." % str(action)[:40])


@view_config(context=ISiteRoot, name="admin-users", permission="admin", request_method="POST",
             renderer="forge:templates/site_admin/users.jinja2")
def change_user(context, request):
    return admin_users_answer(request, lambda: apply_user_action(
        request.POST.get("action", ""), find_user(request.POST.get("username", "")),
        request.user, request.registry))


def admin_users_answer(request, act):
    """Run ``act()`` (returns the message to flash) for a button of
    ``@@admin-users``: back to the page, with the message or the refusal."""
    try:
        message = act()
    except ActionError as e:
        request.response.status_int = e.status
        return users_page(request, error=str(e))
    request.session.flash(message)
    return redirect(request, request.forge_url(request.root, "@@admin-users",
                                               query=request.GET.mixed()))


# --------------------------------------------------------------- projects

def projects_page(request, error=None):
    q = request.GET.get("q", "").strip()[:MAX_QUERY].casefold()
    state = request.GET.get("state", "")
    query = {}
    if state in ("deleted", "live"):
        query["deleted"] = state == "deleted"
    private_only = state == "private"
    neighborhoods = {nb._id: nb for nb in Neighborhood.query.find().all()}

    def keep(project):
        if private_only and not is_private(project.acl):
            return False
        return not q or q in project.shortname or q in (project.title or "").casefold()

    page = page_number(request)
    projects, has_next = walk_page(
        Project.query.find(query).sort([("neighborhood_id", 1), ("shortname", 1)]), keep, page)
    return {"projects": [{"doc": p, "neighborhood": neighborhoods.get(p.neighborhood_id),
                          "private": is_private(p.acl)} for p in projects],
            "q": q, "state": state, "page": page, "has_next": has_next, "error": error}


@view_config(context=ISiteRoot, name="admin-projects", permission="admin",
             request_method="GET", renderer="forge:templates/site_admin/projects.jinja2")
def projects(context, request):
    return projects_page(request)


@view_config(context=ISiteRoot, name="admin-projects", permission="admin",
             request_method="POST", renderer="forge:templates/site_admin/projects.jinja2")
def change_project(context, request):
    action = request.POST.get("action", "")
    try:
        project = Project.query.get(_id=request.POST.get("project_id", "")[:64] or None)
        if project is None:
            raise ActionError("There is no such project (the list may have changed; reload).")
        if action not in ("delete", "undelete"):
            raise ActionError("Unknown action %r." % action[:40])
        if action == "delete" and request.POST.get("confirm", "").strip() != project.shortname:
            raise ActionError("Type the project's name %r to confirm; nothing was deleted."
                              % project.shortname)
        set_project_deleted(request.registry, project, action == "delete", request.user,
                            version=form_version(request.POST))
    except ActionError as e:
        request.response.status_int = e.status
        return projects_page(request, error=str(e))
    request.session.flash("%s %s%s." % ("Deleted" if action == "delete" else "Undeleted",
                                        project.shortname,
                                        " and its subprojects" if action == "delete" else ""))
    return redirect(request, request.forge_url(context, "@@admin-projects",
                                               query=request.GET.mixed()))


# --------------------------------------------------------------- audit log

def day(request, name, end_of_day=False):
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    try:
        value = datetime.datetime.strptime(raw[:10], "%Y-%m-%d")
    except ValueError:
        raise HTTPBadRequest("The %s date must look like 2026-12-31, not %r." % (
            "from" if name == "since" else "until", raw[:20]))
    return value + datetime.timedelta(days=1) if end_of_day else value


@view_config(context=ISiteRoot, name="admin-audit", permission="admin", request_method="GET",
             renderer="forge:templates/site_admin/audit.jinja2")
def audit(context, request):
    actor_name = request.GET.get("actor", "").strip()[:MAX_QUERY]
    node = request.GET.get("node", "").strip()[:64]
    kind = request.GET.get("kind", "")
    if kind and kind not in AUDIT_KINDS:
        raise HTTPBadRequest("The kind is one of %s." % ", ".join(AUDIT_KINDS))
    since, until = day(request, "since"), day(request, "until", end_of_day=True)
    query, error = {}, None
    if actor_name:
        actor = User.by_username(actor_name)
        query["actor_id"] = actor._id if actor else "-"
        if actor is None:
            error = "There is no user %r." % actor_name
    if node:
        query["node_id"] = node
    if since or until:
        query["timestamp"] = dict(([("$gte", since)] if since else []) +
                                  ([("$lt", until)] if until else []))
    prefix = kind + "."

    def keep(entry):
        return not kind or (entry.action or "").startswith(prefix)

    page = page_number(request)
    entries, has_next = walk_page(ChangeLogEntry.query.find(query).sort("timestamp", -1),
                                  keep, page)
    names = usernames(e.actor_id for e in entries)
    return {"entries": [{"entry": e, "actor": names.get(e.actor_id) if e.actor_id else None}
                        for e in entries],
            "page": page, "has_next": has_next, "kinds": AUDIT_KINDS, "error": error,
            "filters": {"actor": actor_name, "node": node, "kind": kind,
                        "since": request.GET.get("since", "")[:10],
                        "until": request.GET.get("until", "")[:10]}}
