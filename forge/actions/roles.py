"""Project roles: the built-in Admin ⊃ Developer ⊃ Member chain, custom roles,
membership, and the transitive ``implied_ids`` that principals come from."""

from ..events import RolesChanged
from ..model import Project, ProjectRole
from ..names import single_line
from ..unit_of_work import change
from . import ActionError

BUILTIN_ROLES = ("Admin", "Developer", "Member")
MAX_ROLE_NAME = 40


def roles_of(project_doc):
    return ProjectRole.query.find({"project_id": project_doc._id}).sort(
        [("position", 1), ("name", 1)]).all()


def roles_project(project_doc):
    """The project whose roles apply here: itself, or the nearest ancestor with roles
    (a subproject uses its parent's roles until it gets its own)."""
    doc = project_doc
    while doc is not None:
        if ProjectRole.query.get(project_id=doc._id) is not None:
            return doc
        doc = Project.query.get(_id=doc.parent_id) if doc.parent_id else None
    return project_doc


def role_named(project_doc, name):
    return ProjectRole.query.get(project_id=roles_project(project_doc)._id, name=name)


def create_builtin_roles(project_doc, admin_user=None):
    member = ProjectRole(project_id=project_doc._id, name="Member", position=3)
    developer = ProjectRole(project_id=project_doc._id, name="Developer",
                            includes=[member._id], position=2)
    admin = ProjectRole(project_id=project_doc._id, name="Admin",
                        includes=[developer._id], position=1,
                        user_ids=[admin_user._id] if admin_user else [])
    _recompute_implied([admin, developer, member])
    return {"Admin": admin, "Developer": developer, "Member": member}


def _recompute_implied(roles):
    by_id = {r._id: r for r in roles}
    for role in roles:
        seen, stack = [], list(role.includes)
        while stack:
            rid = stack.pop()
            if rid in seen or rid == role._id or rid not in by_id:
                continue
            seen.append(rid)
            stack.extend(by_id[rid].includes)
        role.implied_ids = seen


def _check_new_role(roles, name, includes):
    """(name, include ids) of a new role among ``roles``, or ActionError."""
    name = (name or "").strip()
    if (not name or len(name) > MAX_ROLE_NAME or any(c in name for c in "<>/\\")
            or not single_line(name)):
        raise ActionError("A role name is 1-%d characters on one line, without <, >, / or \\."
                          % MAX_ROLE_NAME)
    if any(r.name.lower() == name.lower() for r in roles):
        raise ActionError("There is already a role named %r." % name)
    known = {str(r._id): r for r in roles}
    include_ids = []
    for rid in includes:
        if rid not in known:
            raise ActionError("Unknown role to include.")
        include_ids.append(known[rid]._id)
    return name, include_ids


def create_role(registry, project_doc, name, includes, actor, version=None):
    roles = roles_of(project_doc)
    with change(registry, RolesChanged, node=project_doc, actor=actor,
                new={"name": name, "includes": list(includes)},
                validate=lambda new: _checked_new_role(roles, new),
                version=version, version_field="roles_version",
                change="create") as ch:
        name, include_ids = ch.new["name"], ch.new["includes"]
        ch.on_duplicate = "There is already a role named %r." % name
        role = ProjectRole(project_id=project_doc._id, name=name, includes=include_ids,
                           position=10)
        _recompute_implied(roles + [role])
        ch.log("role.create", "created role %s" % name, role=name)
        ch.event_detail.update(change="create", role=name)
    return role


def _checked_new_role(roles, new):
    name, include_ids = _check_new_role(roles, new["name"], new["includes"])
    return {"name": name, "includes": include_ids}


def delete_role(registry, project_doc, role, actor, version=None):
    if role.name in BUILTIN_ROLES:
        raise ActionError("The built-in roles cannot be deleted.")
    with change(registry, RolesChanged, node=project_doc, actor=actor,
                old={"name": role.name, "includes": list(role.includes),
                     "user_ids": list(role.user_ids)}, new={},
                version=version, version_field="roles_version",
                change="delete", role=role.name) as ch:
        roles = [r for r in roles_of(project_doc) if r._id != role._id]
        for other in roles:
            if role._id in other.includes:
                other.includes = [i for i in other.includes if i != role._id]
        _recompute_implied(roles)
        role.delete()
        ch.log("role.delete", "deleted role %s" % role.name, role=role.name)
        ch.event_detail.update(change="delete", role=role.name)


def add_member(registry, project_doc, role, user, actor, version=None):
    if user._id in role.user_ids:
        raise ActionError("%s already has the role %s." % (user.username, role.name))
    with change(registry, RolesChanged, node=project_doc, actor=actor,
                old={"role": role.name, "user_ids": list(role.user_ids)},
                new={"role": role.name, "user_ids": list(role.user_ids) + [user._id]},
                version=version, version_field="roles_version",
                change="add-member", user=user.username) as ch:
        role.user_ids = list(ch.new["user_ids"])
        ch.log("role.add-member", "gave %s the role %s" % (user.username, role.name),
               role=role.name, user=user.username)
        ch.event_detail.update(change="add-member", role=role.name, user=user.username)


def remove_member(registry, project_doc, role, user, actor, version=None):
    if user._id not in role.user_ids:
        raise ActionError("%s does not have the role %s." % (user.username, role.name))

    def admins_left(new):
        _check_admins_left(role, new["user_ids"], user)

    with change(registry, RolesChanged, node=project_doc, actor=actor,
                old={"role": role.name, "user_ids": list(role.user_ids)},
                new={"role": role.name,
                     "user_ids": [u for u in role.user_ids if u != user._id]},
                validate=admins_left, version=version, version_field="roles_version",
                change="remove-member", user=user.username) as ch:
        role.user_ids = list(ch.new["user_ids"])
        ch.log("role.remove-member", "took the role %s from %s" % (role.name, user.username),
               role=role.name, user=user.username)
        ch.event_detail.update(change="remove-member", role=role.name, user=user.username)


def _check_admins_left(role, user_ids, user):
    if role.name == "Admin" and not user_ids:
        raise ActionError("%s is the last admin of this project; give someone else the "
                          "Admin role first." % user.username)


def admin_user_ids(project_doc):
    admin = role_named(project_doc, "Admin")
    return list(admin.user_ids) if admin else []
