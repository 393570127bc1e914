"""Project roles: the built-in Admin ⊃ Developer ⊃ Member chain, custom roles,
membership, and the transitive ``implied_ids`` that principals come from."""

from ..events import RolesChanged
from ..model import Project, ProjectRole, emit, session
from ..names import single_line
from ..bus.auditing import audit
from . import ActionError, flush_or_refuse
from .audit import record

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


def create_role(registry, project_doc, name, includes, actor):
    roles = roles_of(project_doc)
    name, include_ids = _check_new_role(roles, name, includes)
    change = audit(registry, RolesChanged.topic, node_type="Project", node=project_doc,
                   new={"name": name, "includes": list(include_ids)}, actor=actor,
                   detail={"change": "create"})
    name, include_ids = _check_new_role(roles, change.new["name"], change.new["includes"])
    role = ProjectRole(project_id=project_doc._id, name=name, includes=include_ids,
                       position=10)
    _recompute_implied(roles + [role])
    record(project_doc, "project", actor, "role.create", "created role %s" % name,
           project_id=project_doc._id, role=name)
    emit(registry, RolesChanged(project_doc, actor=actor, change="create", role=name))
    flush_or_refuse("There is already a role named %r." % name)
    return role


def delete_role(registry, project_doc, role, actor):
    if role.name in BUILTIN_ROLES:
        raise ActionError("The built-in roles cannot be deleted.")
    audit(registry, RolesChanged.topic, node_type="Project", node=project_doc,
          old={"name": role.name, "includes": list(role.includes),
               "user_ids": list(role.user_ids)}, new={}, actor=actor,
          detail={"change": "delete", "role": role.name})
    roles = [r for r in roles_of(project_doc) if r._id != role._id]
    for other in roles:
        if role._id in other.includes:
            other.includes = [i for i in other.includes if i != role._id]
    _recompute_implied(roles)
    role.delete()
    record(project_doc, "project", actor, "role.delete", "deleted role %s" % role.name,
           project_id=project_doc._id, role=role.name)
    emit(registry, RolesChanged(project_doc, actor=actor, change="delete", role=role.name))
    session.flush()


def add_member(registry, project_doc, role, user, actor):
    if user._id in role.user_ids:
        raise ActionError("%s already has the role %s." % (user.username, role.name))
    change = audit(registry, RolesChanged.topic, node_type="Project", node=project_doc,
                   old={"role": role.name, "user_ids": list(role.user_ids)},
                   new={"role": role.name, "user_ids": list(role.user_ids) + [user._id]},
                   actor=actor, detail={"change": "add-member", "user": user.username})
    role.user_ids = list(change.new["user_ids"])
    record(project_doc, "project", actor, "role.add-member",
           "gave %s the role %s" % (user.username, role.name),
           project_id=project_doc._id, role=role.name, user=user.username)
    emit(registry, RolesChanged(project_doc, actor=actor, change="add-member",
                                role=role.name, user=user.username))
    session.flush()


def remove_member(registry, project_doc, role, user, actor):
    if user._id not in role.user_ids:
        raise ActionError("%s does not have the role %s." % (user.username, role.name))
    _check_admins_left(role, [u for u in role.user_ids if u != user._id], user)
    change = audit(registry, RolesChanged.topic, node_type="Project", node=project_doc,
                   old={"role": role.name, "user_ids": list(role.user_ids)},
                   new={"role": role.name,
                        "user_ids": [u for u in role.user_ids if u != user._id]},
                   actor=actor, detail={"change": "remove-member", "user": user.username})
    _check_admins_left(role, change.new["user_ids"], user)
    role.user_ids = list(change.new["user_ids"])
    record(project_doc, "project", actor, "role.remove-member",
           "took the role %s from %s" % (role.name, user.username),
           project_id=project_doc._id, role=role.name, user=user.username)
    emit(registry, RolesChanged(project_doc, actor=actor, change="remove-member",
                                role=role.name, user=user.username))
    session.flush()


def _check_admins_left(role, user_ids, user):
    if role.name == "Admin" and not user_ids:
        raise ActionError("%s is the last admin of this project; give someone else the "
                          "Admin role first." % user.username)


def admin_user_ids(project_doc):
    admin = role_named(project_doc, "Admin")
    return list(admin.user_ids) if admin else []
