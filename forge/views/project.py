"""Project pages: the home page, creating subprojects, and the settings form."""

from markupsafe import Markup
from pyramid.httpexceptions import HTTPForbidden
from pyramid.renderers import render
from pyramid.view import view_config, view_defaults

from ..actions import ActionError
from ..activity.views import kept_page, node_id
from ..actions.projects import create_project, update_project
from ..fragments import reader_cached
from ..interfaces import IProject
from ..model import Project, ProjectRole, User
from ..model.cache import cached_raw
from ..redirects import redirect
from ..resources.base import StoredDocument
from ..unit_of_work import current_version, form_version
from ..rendering import render_versioned

#: members listed per role on a home page; the roles page lists them all
MEMBERS_SHOWN = 50
#: newest activity entries on a home page; @@activity pages through them all
ACTIVITY_SHOWN = 10
HOME_BODY = "forge:templates/project/home_body.jinja2"


def project_url(request, neighborhood_node, shortname):
    """URL of a project (with its trailing slash) from its neighborhood and path."""
    return request.forge_url(neighborhood_node, *shortname.split("/"), "")


def render_description(project_doc):
    """The description's Markdown as sanitised HTML (cached per text)."""
    return render_versioned("project:" + project_doc._id, 0, project_doc.description)


def create_form(request, neighborhood_node, parent=None):
    """GET shows the new-project form; POST creates the project and redirects
    to it, or shows the form again with the message (400, nothing saved).

    Shared by ``/p/@@create`` and ``/p/NAME/@@create-subproject``.
    """
    form = {"shortname": "", "title": "", "description": "", "private": False}
    error = None
    if request.method == "POST":
        post = request.POST
        form = {"shortname": post.get("shortname", "").strip(),
                "title": post.get("title", ""),
                "description": post.get("description", ""),
                "private": bool(post.get("private"))}
        try:
            project = create_project(
                request.registry, neighborhood_node.doc, form["shortname"], form["title"],
                request.user, parent=parent.doc if parent is not None else None,
                private=form["private"], description=form["description"])
        except ActionError as e:
            error = str(e)
            request.response.status_int = e.status
        else:
            return redirect(request, project_url(request, neighborhood_node, project.shortname))
    return {"form": form, "error": error, "parent": parent,
            "neighborhood": neighborhood_node}


def members_by_role(request, roles_project_id):
    """[(role, [user], how many more), ...] for the roles of the project
    ``roles_project_id``, as stored documents (``role.name``, ``user.username``)
    read through the tree cache (roles and users are tree documents): the home
    page shows them and builds no Ming object for them."""
    groups = []
    roles = cached_raw(request, ProjectRole, {"project_id": roles_project_id},
                       sort=[("position", 1), ("name", 1)])
    for role in roles:
        user_ids = role.get("user_ids") or []
        # one indexed get per member: `$in` scans on the embedded server
        users = [cached_raw(request, User, {"_id": uid}) for uid in user_ids[:MEMBERS_SHOWN]]
        groups.append((role, [found[0] for found in users if found],
                       max(0, len(user_ids) - MEMBERS_SHOWN)))
    return groups


def cached_roles_project(request, project_doc):
    """``forge.actions.roles.roles_project`` through the tree cache: the project
    whose roles apply here (itself or the nearest ancestor with roles), as
    ``project_doc`` is (a Ming object or a ``StoredDocument``) or as stored."""
    doc = project_doc
    while doc is not None:
        if cached_raw(request, ProjectRole, {"project_id": doc._id}):
            return doc
        parent_id = stored_field(doc, "parent_id")
        parents = cached_raw(request, Project, {"_id": parent_id}) if parent_id else []
        doc = StoredDocument(Project, parents[0]) if parents else None
    return project_doc


def stored_field(doc, name):
    """``doc.name``, read from a ``StoredDocument``'s stored fields when it has
    not been built (a field the document leaves out is None, the schema's
    default for the optional references read here)."""
    if isinstance(doc, StoredDocument):
        return doc.raw.get(name)
    return getattr(doc, name, None)


@view_defaults(context=IProject)
class ProjectViews:
    def __init__(self, context, request):
        self.context = context
        self.request = request

    @view_config(page_cache=True, renderer="forge:templates/project/home.jinja2", permission="read")
    def home(self):
        """The page's content is kept per reader and generation: everything it
        shows follows from the stored documents (the generations), the reader
        (their principals decide every ``read`` verdict, their watch, their
        forms' CSRF token: ``reader_key``) and the address (its links, the side
        nav's current entry), so a reader viewing it again while nothing was
        written costs no read, verdict or rendering of it."""
        request, context = self.request, self.context
        body = reader_cached(request, ("project-home", node_id(context), request.path_url),
                             lambda: Markup(render(HOME_BODY, self.home_values(),
                                                   request=request)))
        return {"project": context, "body": body}

    def home_values(self):
        request, context = self.request, self.context
        # as stored: a page that changes nothing builds no Ming object for it
        project_doc = context._doc
        roles_doc = cached_roles_project(request, project_doc)
        may_admin = request.can("admin", context)
        return {
            "project": context,
            "description": render_description(project_doc),
            "tools": [t for t in context.tools() if request.can("read", t)],
            "subprojects": [(p, stored_field(p._doc, "description") or "")
                            for p in context.subprojects() if request.can("read", p)],
            "members": members_by_role(request, roles_doc._id),
            "inherits_roles": roles_doc._id != project_doc._id,
            "may_admin": may_admin,
            "nav_may_admin": may_admin,         # the side nav's admin links
            "may_update": request.can("update", context),
            # rendered once per content generation and reader permission set
            # (also for visitors, whose body is not kept): each entry's node
            # costs a read or two to resolve
            "activity": kept_page(request, context, {"project_id": project_doc._id},
                                  page=1, size=ACTIVITY_SHOWN, known=(context,)),
        }

    @view_config(name="create-subproject", renderer="forge:templates/project/create.jinja2",
                 permission="admin")
    def create_subproject(self):
        return create_form(self.request, self.context.neighborhood, parent=self.context)

    @view_config(name="edit", renderer="forge:templates/project/edit.jinja2", permission="update")
    def edit(self):
        """Title and description for anyone with ``update``; the private switch
        only for admins (the form marks it with ``set_private``)."""
        request, context = self.request, self.context
        doc = context.doc
        may_admin = request.can("admin", context)
        form = {"title": doc.title, "description": doc.description,
                "private": context.private, "version": current_version(doc)}
        error = None
        if request.method == "POST":
            post = request.POST
            touches_privacy = "set_private" in post or "private" in post
            if touches_privacy and not may_admin:
                raise HTTPForbidden("Only project admins may make a project private or public.")
            form = {"title": post.get("title", ""),
                    "description": post.get("description", ""),
                    "private": bool(post.get("private")) if touches_privacy
                    else context.private,
                    # a form shown again keeps the version it edited: saving it
                    # after someone else's save stays a 409 until a reload
                    "version": post.get("version", "")}
            try:
                update_project(request.registry, doc, form["title"], form["description"],
                               form["private"] if touches_privacy else None, request.user,
                               version=form_version(post))
            except ActionError as e:
                error = str(e)
                request.response.status_int = e.status
            else:
                request.session.flash("Project settings saved.")
                return redirect(request, request.forge_url(context))
        return {"project": context, "form": form, "error": error, "may_admin": may_admin}
