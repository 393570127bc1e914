"""Project admin: roles and members (``@@roles``).

The roles shown are those of ``roles_project``: a subproject uses its
parent's roles until an admin gives it its own, and until then this page
only links to the project whose roles apply and offers that button.
Like ``@@tools``, every form posts back here with an ``action`` field.
"""
from pyramid.view import view_config, view_defaults

from ..actions import ActionError
from ..actions.projects import create_own_roles
from ..actions.role_edits import edit_role
from ..actions.roles import (BUILTIN_ROLES, add_member, create_role, delete_role,
                             remove_member, roles_of, roles_project)
from ..interfaces import IProject
from ..model import User
from ..redirects import redirect
from ..unit_of_work import form_version


@view_defaults(context=IProject, name="roles", permission="admin")
class RolesAdmin:
    def __init__(self, context, request):
        self.context = context
        self.request = request
        self.roles_doc = roles_project(context.doc)

    @property
    def owns_roles(self):
        return self.roles_doc._id == self.context.doc._id

    def roles_url(self, project_doc):
        node = self.context.neighborhood
        return self.request.forge_url(node, *project_doc.shortname.split("/"), "@@roles")

    def page(self, error=None, form=None):
        roles = roles_of(self.roles_doc)
        names = {r._id: r.name for r in roles}
        rows = []
        for role in roles:
            users = [User.query.get(_id=uid) for uid in role.user_ids]
            rows.append({
                "role": role,
                "builtin": role.name in BUILTIN_ROLES,
                "includes": [names[i] for i in role.includes if i in names],
                "implies": [names[i] for i in role.implied_ids if i in names],
                "users": sorted((u for u in users if u is not None),
                                key=lambda u: u.username),
            })
        return {"project": self.context, "rows": rows, "error": error,
                "owns_roles": self.owns_roles, "roles_doc": self.roles_doc,
                "roles_url": None if self.owns_roles else self.roles_url(self.roles_doc),
                "form": form or {}}

    @view_config(request_method="GET", renderer="forge:templates/project/roles.jinja2")
    def show(self):
        return self.page()

    @view_config(request_method="POST", renderer="forge:templates/project/roles.jinja2")
    def change(self):
        post = self.post = self.request.POST
        action = post.get("action", "")
        form = {k: post.get(k, "") for k in ("username", "role_id", "name")}
        form["includes"] = post.getall("includes")
        try:
            if action == "own-roles":
                create_own_roles(self.request.registry, self.context.doc, self.request.user)
                message = "This project now has its own roles; you are its admin."
            elif not self.owns_roles:
                raise ActionError("This project uses the roles of %s; change them there."
                                  % self.roles_doc.title)
            else:
                handler = {"add-member": self.add_member,
                           "remove-member": self.remove_member,
                           "create-role": self.create_role,
                           "delete-role": self.delete_role,
                           "edit-role": self.edit_role}.get(action)
                if handler is None:
                    raise ActionError("Unknown action %r." % action[:40])
                message = handler()
        except ActionError as e:
            self.request.response.status_int = e.status
            return self.page(error=str(e), form=form)
        self.request.session.flash(message)
        return redirect(self.request, self.request.forge_url(self.context, "@@roles"))

    def role(self, role_id):
        for role in roles_of(self.roles_doc):
            if role._id == role_id:
                return role
        raise ActionError("There is no such role here (the list may have changed; reload).")

    def user(self, username):
        username = (username or "").strip().lower()
        user = User.by_username(username) if username else None
        if user is None:
            raise ActionError("There is no user %r." % username[:40] if username
                              else "Name the user to add.")
        return user

    def add_member(self):
        post = self.post
        role = self.role(post.get("role_id"))
        user = self.user(post.get("username"))
        add_member(self.request.registry, self.roles_doc, role, user, self.request.user,
                   version=form_version(self.post))
        return "%s now has the role %s." % (user.username, role.name)

    def remove_member(self):
        post = self.post
        role = self.role(post.get("role_id"))
        user = self.user(post.get("username"))
        remove_member(self.request.registry, self.roles_doc, role, user, self.request.user,
                      version=form_version(self.post))
        return "%s no longer has the role %s." % (user.username, role.name)

    def create_role(self):
        post = self.post
        role = create_role(self.request.registry, self.roles_doc, post.get("name", ""),
                           post.getall("includes"), self.request.user,
                           version=form_version(post))
        return "Created the role %s." % role.name

    def edit_role(self):
        role = self.role(self.post.get("role_id"))
        edit_role(self.request.registry, self.roles_doc, role, self.post.get("name", ""),
                  self.post.getall("includes"), self.request.user,
                  version=form_version(self.post))
        return "Saved the role %s." % role.name

    def delete_role(self):
        role = self.role(self.post.get("role_id"))
        delete_role(self.request.registry, self.roles_doc, role, self.request.user,
                    version=form_version(self.post))
        return "Deleted the role %s." % role.name
