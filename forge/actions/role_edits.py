"""Editing a custom role after it was created: its name and the roles it
includes (``forge.actions.roles`` creates and deletes them).

The built-in roles keep their names and their chain (Admin ⊃ Developer ⊃
Member): code and ACLs find them by name.  A role may not include itself or a
role that includes it (its holders would hold each other's roles both ways,
and a later edit could not say which came first).  Every role's
``implied_ids`` is recomputed, since others may include the edited one.
"""
from ..events import RolesChanged
from ..unit_of_work import change
from . import ActionError
from .roles import BUILTIN_ROLES, _check_new_role, _recompute_implied, roles_of


def edit_role(registry, project_doc, role, name, includes, actor, version=None):
    """Rename ``role`` and make it include the roles ``includes`` (ids)."""
    if role.name in BUILTIN_ROLES:
        raise ActionError("The built-in roles keep their names and what they include.")
    roles = roles_of(project_doc)
    # the stored copy among them, so that recomputing implied roles sees the edit
    role = next((r for r in roles if r._id == role._id), None)
    if role is None:
        raise ActionError("There is no such role here (the list may have changed; reload).")
    others = [r for r in roles if r._id != role._id]

    def checked(new):
        if role._id in new["includes"]:
            raise ActionError("A role cannot include itself.")
        name, include_ids = _check_new_role(others, new["name"], new["includes"])
        by_id = {r._id: r for r in roles}
        for included in include_ids:
            if role._id in by_id[included].implied_ids:
                raise ActionError("%s already includes %s; a role cannot include a role "
                                  "that includes it." % (by_id[included].name, role.name))
        return {"name": name, "includes": include_ids}

    old = {"name": role.name, "includes": list(role.includes)}
    with change(registry, RolesChanged, node=project_doc, actor=actor, old=old,
                new={"name": name, "includes": list(includes)}, validate=checked,
                version=version, version_field="roles_version", change="edit",
                role=role.name) as ch:
        if ch.new == old:
            ch.nothing_changed()
            return role
        ch.on_duplicate = "There is already a role named %r." % ch.new["name"]
        role.name, role.includes = ch.new["name"], list(ch.new["includes"])
        _recompute_implied(roles)
        ch.log("role.edit", "changed role %s%s" % (
            old["name"], " (now %s)" % role.name if role.name != old["name"] else ""),
            role=role.name, renamed_from=old["name"])
        ch.event_detail.update(change="edit", role=role.name)
    return role

