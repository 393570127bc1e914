"""Renaming, moving, deleting and purging projects (``forge.actions.project_moves``).

``@@manage`` on a project (its admins, site admins included) renames it, moves
it under another project its user administers (or to the top level, for who
may create projects there), deletes it with its subprojects, and undeletes
its deleted subprojects.  A deleted project's address answers 404 to all but
site admins, who get its page with undelete and purge (``DeletedProject``).
An old address of a renamed project redirects to where it is now, for who may
read it (``MovedProject``).
"""
from pyramid.events import ContextFound, subscriber
from pyramid.httpexceptions import HTTPForbidden, HTTPNotFound
from pyramid.traversal import find_resource
from pyramid.view import view_config, view_defaults

from ..actions import ActionError
from ..actions.project_moves import forget_redirects_at, move_project, purge_project
from ..actions.site_admin import set_project_deleted
from ..events import ProjectCreated
from ..interfaces import IProject, ISiteRoot
from ..model import Neighborhood, Project
from ..redirects import redirect
from ..resources.missing_project import IDeletedProject, IMovedProject, redirect_target
from ..unit_of_work import form_version
from .site_admin import projects_page

MAX_NAME = 200


@subscriber(ProjectCreated)
def created_project_takes_its_name(event):
    forget_redirects_at(event)


def project_node(request, neighborhood, shortname):
    """The live project node at ``shortname``, or None."""
    try:
        node = find_resource(request.root, "/%s/%s" % (neighborhood.doc.name, shortname))
    except KeyError:
        return None
    return node if getattr(node, "kind", None) == "project" else None


def destination(request, node, parent_name):
    """The new parent document (None: the top level) named on a form, if the
    user may put a project there; else ActionError."""
    parent_name = parent_name.strip().strip("/")[:MAX_NAME]
    neighborhood = node.neighborhood
    current = node.__parent__ if node.__parent__.kind == "project" else None
    if not parent_name:
        if current is not None and not request.can("create_project", neighborhood):
            raise ActionError("You may not create top-level projects here.")
        return None
    target = project_node(request, neighborhood, parent_name)
    if target is None or not request.can("admin", target):
        raise ActionError("There is no project %r that you administer." % parent_name)
    return target.doc


def relocate(request, node, parent_name, name):
    """The move the forms ask for; returns the message to flash."""
    new_parent = destination(request, node, parent_name)
    current = node.__parent__ if node.__parent__.kind == "project" else None
    if (new_parent._id if new_parent else None) != node.doc.parent_id \
            and current is not None and not request.can("admin", current):
        raise ActionError("Only an admin of %s may move a project out of it."
                          % current.doc.shortname)
    old = node.doc.shortname
    move_project(request.registry, node.doc, new_parent, (name or "")[:MAX_NAME], request.user,
                 version=form_version(request.POST))
    if node.doc.shortname == old:
        return "Nothing changed."
    return "Moved %s to %s; the old address leads there." % (old, node.doc.shortname)


@view_defaults(context=IProject, name="manage", permission="admin")
class ManageProject:
    def __init__(self, context, request):
        self.context, self.request = context, request

    def page(self, error=None, form=None):
        doc = self.context.doc
        parent = self.context.__parent__
        deleted = Project.query.find({"parent_id": doc._id, "deleted": True}).sort(
            "shortname", 1).all()
        return {"project": self.context, "error": error, "deleted_subprojects": deleted,
                "form": form or {"name": doc.name, "version": doc.version or 0,
                                 "parent": parent.doc.shortname if parent.kind == "project"
                                 else ""}}

    @view_config(request_method="GET", renderer="forge:templates/project/manage.jinja2")
    def show(self):
        return self.page()

    @view_config(request_method="POST", renderer="forge:templates/project/manage.jinja2")
    def change(self):
        post, request, node = self.request.POST, self.request, self.context
        action = post.get("action", "")
        try:
            if action == "move":
                message = relocate(request, node, post.get("parent", ""), post.get("name", ""))
                target = node.doc
            elif action == "delete":
                if post.get("confirm", "").strip() != node.doc.shortname:
                    raise ActionError("Type the project's name %r to confirm; nothing was "
                                      "deleted." % node.doc.shortname)
                set_project_deleted(request.registry, node.doc, True, request.user,
                                    version=form_version(post))
                request.session.flash("Deleted %s with its subprojects." % node.doc.shortname)
                return redirect(request, request.forge_url(node.__parent__))
            elif action == "undelete":
                sub = Project.query.get(_id=post.get("project_id", "")[:64] or None)
                if sub is None or sub.parent_id != node.doc._id:
                    raise ActionError("There is no such deleted subproject (reload the page).")
                set_project_deleted(request.registry, sub, False, request.user)
                message, target = "Undeleted %s." % sub.shortname, node.doc
            else:
                raise ActionError("Unknown action %r." % action[:40])
        except ActionError as e:
            request.response.status_int = e.status
            return self.page(error=str(e), form={
                "name": post.get("name", "")[:MAX_NAME], "parent": post.get("parent", "")[:MAX_NAME],
                "version": post.get("version", "")[:20]})
        request.session.flash(message)
        nb = node.neighborhood
        return redirect(request, "%s/%s/%s/@@manage" % (request.forge_url(request.root).rstrip("/"),
                                                        nb.doc.name, target.shortname))


@subscriber(ContextFound)
def moved(event):
    """An old address of a renamed or moved project: to the same page at the
    new one, if the viewer may read the project there (else 404).  Answered
    once traversal ends rather than by a view, because a view name that
    follows the old path (``/p/old/@@history``) names no view of its own."""
    request = event.request
    context = request.context
    if not IMovedProject.providedBy(context):
        return
    project, rest = redirect_target(context.neighborhood.doc._id, context.old_path)
    node = project_node(request, context.neighborhood, project.shortname) \
        if project is not None else None
    if node is None or request.method not in ("GET", "HEAD") or not request.can("read", node):
        raise HTTPNotFound()
    if request.view_name:
        rest = rest + ["@@" + request.view_name] + list(request.subpath)
    location = request.forge_url(node) + "/".join(rest)
    if request.path_info.endswith("/") and rest:
        location += "/"
    raise redirect(request, location + ("?" + request.query_string
                                        if request.query_string else ""))


@view_defaults(context=IDeletedProject, permission="admin")
class DeletedProjectViews:
    """A deleted project, as site admins and its own admins see it: undelete,
    or (site admins) purge."""

    def __init__(self, context, request):
        self.context, self.request = context, request

    @view_config(request_method="GET", renderer="forge:templates/project/deleted.jinja2")
    def show(self, error=None):
        return {"project": self.context.doc, "node": self.context, "error": error,
                "may_purge": self.request.is_site_admin}

    @view_config(name="undelete", request_method="POST",
                 renderer="forge:templates/project/deleted.jinja2")
    def undelete(self):
        doc, request = self.context.doc, self.request
        try:
            set_project_deleted(request.registry, doc, False, request.user)
        except ActionError as e:
            request.response.status_int = e.status
            return self.show(error=str(e))
        request.session.flash("Undeleted %s and its subprojects." % doc.shortname)
        return redirect(request, request.forge_url(self.context))

    @view_config(name="purge", request_method="POST",
                 renderer="forge:templates/project/deleted.jinja2")
    def purge(self):
        doc, request = self.context.doc, self.request
        if not request.is_site_admin:
            raise HTTPForbidden("Only site admins may purge a project.")
        try:
            names = purge_project(request.registry, doc, request.POST.get("confirm", ""),
                                  request.user)
        except ActionError as e:
            request.response.status_int = e.status
            return self.show(error=str(e))
        request.session.flash("Purged %s: nothing of it is left but the audit log."
                              % ", ".join(names[:10]))
        return redirect(request, request.forge_url(request.root, "@@admin-projects"))


# --------------------------------------------------------------- on @@admin-projects

def admin_projects_answer(request, act):
    """Run ``act()`` (returns the message to flash) for the site admin's
    projects page: back to it, with the message or the refusal."""
    try:
        message = act()
    except ActionError as e:
        request.response.status_int = e.status
        return projects_page(request, error=str(e))
    request.session.flash(message)
    return redirect(request, request.forge_url(request.root, "@@admin-projects",
                                               query=request.GET.mixed()))


def posted_project(request):
    project = Project.query.get(_id=request.POST.get("project_id", "")[:64] or None)
    if project is None:
        raise ActionError("There is no such project (the list may have changed; reload).")
    return project


@view_config(context=ISiteRoot, name="admin-project-move", permission="admin",
             request_method="POST", renderer="forge:templates/site_admin/projects.jinja2")
def admin_move(context, request):
    def act():
        project = posted_project(request)
        neighborhood = Neighborhood.query.get(_id=project.neighborhood_id)
        node = project_node(request, context[neighborhood.name], project.shortname) \
            if not project.deleted else None
        if node is None:
            raise ActionError("%s is deleted; undelete it first." % project.shortname)
        return relocate(request, node, request.POST.get("parent", ""),
                        request.POST.get("name", ""))
    return admin_projects_answer(request, act)


@view_config(context=ISiteRoot, name="admin-project-purge", permission="admin",
             request_method="POST", renderer="forge:templates/site_admin/projects.jinja2")
def admin_purge(context, request):
    def act():
        names = purge_project(request.registry, posted_project(request),
                              request.POST.get("confirm", ""), request.user)
        return "Purged %s: nothing of it is left but the audit log." % ", ".join(names[:10])
    return admin_projects_answer(request, act)
