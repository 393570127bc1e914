"""Projects, subprojects and the tools installed in them."""

from ..events import (AclChanged, ProjectCreated, ProjectUpdated, RolesChanged,
                      ToolInstalled, ToolUninstalled, ToolUpdated)
from ..model import Artifact, Neighborhood, Project, Snapshot, ToolInstance
from ..model.site import ensure_site
from ..model.session import collection
from ..model.acl import AUTHENTICATED, EVERYONE, ace, insert_entry, is_private, with_privacy
from ..names import InvalidName, check_shortname
from ..bus.auditing import run_auditors
from .. import unit_of_work
from ..unit_of_work import change
from . import ActionError
from .roles import create_builtin_roles, role_named, roles_project
from ..validation import check_description, check_title

PROJECT_DEVELOPER_PERMISSIONS = ("create", "update", "delete")


def role_acl_entries(roles):
    """What the built-in roles may do on a project that owns them."""
    entries = [ace("allow", roles["Admin"].principal, "*")]
    entries += [ace("allow", roles["Developer"].principal, p)
                for p in PROJECT_DEVELOPER_PERMISSIONS]
    entries.append(ace("allow", roles["Member"].principal, "read"))
    return entries


def top_level_acl(roles, private):
    entries = role_acl_entries(roles)
    return with_privacy(entries, private) if private else entries + [
        ace("allow", EVERYONE, "read")]


def create_own_roles(registry, project_doc, actor):
    """Give a subproject its own Admin/Developer/Member roles (``actor`` becomes
    its Admin) instead of its parent's.

    The subproject keeps its ACL (the parent's roles still reach it through
    the lineage) and gains allow-entries for the new roles, inserted before a
    trailing private rule so that it stays last.
    """
    if project_doc.parent_id is None:
        raise ActionError("A top-level project always has its own roles.")
    if roles_project(project_doc)._id == project_doc._id:
        raise ActionError("This project already has its own roles.")
    # two changes, two sets of auditors: the roles, then the ACL that lets them in
    # (a refusal of the second drops the unflushed roles of the first)
    with change(registry, RolesChanged, node=project_doc, actor=actor,
                old={"own_roles": False}, new={"own_roles": True}, change="create-own") as ch:
        roles = create_builtin_roles(project_doc, admin_user=actor)
        acl = [dict(e) for e in project_doc.acl]
        for entry in role_acl_entries(roles):
            acl = insert_entry(acl, entry)
        acl = run_auditors(registry, AclChanged.topic_for("project"), node_type="Project",
                           node=project_doc, old={"acl": [dict(e) for e in project_doc.acl]},
                           new={"acl": acl}, actor=actor,
                           detail={"kind": "project", "action": "role.create-own"}).new["acl"]
        project_doc.acl = acl
        ch.log("role.create-own", "gave the project its own roles", acl=acl)
        ch.event_detail["change"] = "create-own"
        ch.also_emit(AclChanged(project_doc, actor=actor, kind="project",
                                action="role.create-own"))
    return roles


def create_project(registry, neighborhood, shortname, title, actor, parent=None,
                   private=False, description="", source="web"):
    """Create a top-level project (``parent`` None) or a subproject of ``parent``."""
    try:
        check_shortname(shortname, "short name")
    except InvalidName as e:
        raise ActionError(str(e))
    title = check_title(title)
    description = check_description(description)
    if parent is not None:
        if ToolInstance.query.get(project_id=parent._id, mount=shortname):
            raise ActionError("%r is already a tool of %s." % (shortname, parent.title))
        full = parent.shortname + "/" + shortname
    else:
        full = shortname
    if Project.query.get(neighborhood_id=neighborhood._id, shortname=full):
        raise ActionError("The short name %r is taken." % shortname)
    with change(registry, ProjectCreated, node_type=Project, actor=actor, source=source,
                new={"title": title, "description": description, "private": bool(private)},
                validate=_checked_project_fields,
                on_duplicate="The short name %r is taken." % shortname,
                neighborhood=neighborhood.name, shortname=full, parent=parent) as ch:
        title, private = ch.new["title"], ch.new["private"]
        project = ch.node = Project(
            neighborhood_id=neighborhood._id, shortname=full, family=full.split("/", 1)[0],
            title=title, description=ch.new["description"],
            parent_id=parent._id if parent is not None else None, acl=[])
        if parent is None:
            roles = create_builtin_roles(project, admin_user=actor)
            project.acl = top_level_acl(roles, private)
        elif private:
            member = role_named(parent, "Member")
            project.acl = with_privacy([], True, [member.principal] if member else [])
        ch.log("project.create", "created %s" % title, private=private)
    return project


def _checked_project_fields(new):
    return dict(new, title=check_title(new["title"]),
                description=check_description(new["description"]),
                private=bool(new["private"]))


def audit_personal_project(registry, username, title, actor, source="web"):
    """Run the ``project.created`` auditors on a user's personal project before
    the user is saved (so a refusal leaves no user without a project)."""
    return run_auditors(registry, ProjectCreated.topic, node_type="Project",
                 new={"title": title, "description": "", "private": False},
                 actor=actor, source=source,
                 detail={"neighborhood": "u", "shortname": username, "parent": None,
                         "personal": True})


def create_personal_project(registry, user, change=None, source="web"):
    """``change``: the audited change from ``audit_personal_project`` (audited
    here when None)."""
    if change is None:
        change = audit_personal_project(registry, user.username,
                                        user.display_name or user.username, user, source)
    title = check_title(change.new["title"])
    description = check_description(change.new["description"])
    users = Neighborhood.query.get(name="u")
    if users is None:
        ensure_site()
        users = Neighborhood.query.get(name="u")
    with unit_of_work.change(registry, ProjectCreated, node_type=Project, actor=user,
                             source=source, new=change.new, audited=change) as ch:
        project = ch.node = Project(neighborhood_id=users._id, shortname=user.username,
                                    family=user.username, title=title, description=description,
                                    user_id=user._id, acl=[])
        roles = create_builtin_roles(project, admin_user=user)
        project.acl = top_level_acl(roles, private=bool(change.new["private"]))
    return project


def update_project(registry, project, title, description, private, actor, version=None):
    """``version``: the one the edit form showed (a stale form is a 409)."""
    title = check_title(title)
    description = check_description(description)
    was_private = is_private(project.acl)
    old = {"title": project.title, "description": project.description, "private": was_private}
    new = {"title": title, "description": description,
           "private": was_private if private is None else bool(private)}
    if new == old:
        return project
    with change(registry, ProjectUpdated, node=project, old=old, new=new, actor=actor,
                validate=_checked_project_fields, version=version,
                changes=["project"]) as ch:
        title, description, private = ch.new["title"], ch.new["description"], ch.new["private"]
        changes = {}
        if title != project.title:
            changes["title"] = [project.title, title]
            project.title = title
        if description != project.description:
            changes["description"] = True
            project.description = description
        if private != is_private(project.acl):
            readers = []
            if private:
                member = role_named(project, "Member")
                readers = [member.principal] if member else []
            project.acl = with_privacy(project.acl, private, readers)
            changes["private"] = private
        if not changes:
            ch.nothing_changed()
        ch.log("project.update", "changed %s" % ", ".join(sorted(changes)),
               changes={k: v for k, v in changes.items() if k != "description"})
        ch.event_detail["changes"] = sorted(changes)
    return project


def resolve_principal(project, name):
    """Role names in a tool's default ACL resolve to the project's roles."""
    if name in ("Everyone", EVERYONE):
        return EVERYONE
    if name in ("Authenticated", AUTHENTICATED):
        return AUTHENTICATED
    role = role_named(project, name)
    if role is not None:
        return role.principal
    if ":" in name:
        return name
    raise ActionError("The tool's default ACL names an unknown role %r." % name)


def install_tool(registry, project, tool_name, mount, actor, label=None, source="web"):
    tool_type = registry.forge_tools.get(tool_name)
    if tool_type is None:
        raise ActionError("There is no tool named %r. Available: %s." % (
            tool_name, ", ".join(sorted(registry.forge_tools)) or "none"))
    try:
        check_shortname(mount, "mount point")
    except InvalidName as e:
        raise ActionError(str(e))
    _check_mount_free(project, mount)
    label = check_title(label or tool_type.title)
    # after the last one (a count could collide after uninstalls and moves)
    last = ToolInstance.query.find({"project_id": project._id}).sort("position", -1).first()
    position = last.position + 1 if last is not None else 0
    acl = [ace(access, resolve_principal(project, who), permission)
           for access, who, permission in tool_type.default_acl]
    def checked(new):
        if new["mount"] != mount:
            _check_new_mount(project, new["mount"])
        return dict(new, label=check_title(new["label"]))

    with change(registry, ToolInstalled, node_type=ToolInstance, actor=actor, source=source,
                new={"mount": mount, "label": label, "acl": acl}, validate=checked,
                project=project, tool=tool_name) as ch:
        mount = ch.new["mount"]
        ch.on_duplicate = "The mount point %r is taken." % mount
        tool = ch.node = ToolInstance(
            project_id=project._id, neighborhood_id=project.neighborhood_id,
            family=project.family, tool=tool_name, mount=mount, label=ch.new["label"],
            position=position, acl=ch.new["acl"], options={}, custom_fields=[])
        ch.log("tool.install", "installed %s at %s" % (tool_type.title, mount), node=project,
               tool=tool_name, mount=mount)
    return tool


def _check_new_mount(project, mount):
    try:
        check_shortname(mount, "mount point")
    except InvalidName as e:
        raise ActionError(str(e))
    _check_mount_free(project, mount)


def _check_mount_free(project, mount):
    if ToolInstance.query.get(project_id=project._id, mount=mount):
        raise ActionError("The mount point %r is taken by another tool." % mount)
    if Project.query.get(neighborhood_id=project.neighborhood_id,
                         shortname=project.shortname + "/" + mount):
        raise ActionError("The mount point %r is the name of a subproject." % mount)


def update_tool(registry, project, tool, mount, label, actor, version=None):
    # validate everything before touching the document, so that a refused
    # change leaves nothing half-applied in the session
    label = check_title(label)
    if mount != tool.mount:
        try:
            check_shortname(mount, "mount point")
        except InvalidName as e:
            raise ActionError(str(e))
        _check_mount_free(project, mount)
    old = {"mount": tool.mount, "label": tool.label}
    if {"mount": mount, "label": label} == old:
        return tool
    def checked(new):
        if new["mount"] != mount and new["mount"] != tool.mount:
            _check_new_mount(project, new["mount"])
        return dict(new, label=check_title(new["label"]))

    with change(registry, ToolUpdated, node=tool, old=old, new={"mount": mount, "label": label},
                actor=actor, validate=checked, version=version, project=project) as ch:
        mount, label = ch.new["mount"], ch.new["label"]
        ch.on_duplicate = "The mount point %r is taken." % mount
        changes = {}
        if mount != tool.mount:
            changes["mount"] = [tool.mount, mount]
            tool.mount = mount
        if label != tool.label:
            changes["label"] = [tool.label, label]
            tool.label = label
        if not changes:
            ch.nothing_changed()
        ch.log("tool.update", "changed tool %s: %s" % (tool.mount, ", ".join(sorted(changes))),
               node=project, changes=changes)
        ch.event_detail["changes"] = changes
    return tool


def reorder_tools(registry, project, mounts, actor):
    tools = {t.mount: t for t in ToolInstance.query.find({"project_id": project._id})}
    if sorted(mounts) != sorted(tools):
        raise ActionError("The new order must name every tool exactly once.")
    current = [t.mount for t in sorted(tools.values(), key=lambda t: t.position)]

    def every_tool_once(new):
        if sorted(new["tools"]) != sorted(tools):
            raise ActionError("The new order must name every tool exactly once.")

    with change(registry, ProjectUpdated, node=project, old={"tools": current},
                new={"tools": list(mounts)}, actor=actor, validate=every_tool_once,
                changes=["tools"]) as ch:
        mounts = list(ch.new["tools"])
        for position, mount in enumerate(mounts):
            tools[mount].position = position
        ch.log("tool.reorder", "reordered tools: %s" % ", ".join(mounts))
        ch.event_detail["changes"] = ["tools"]


def uninstall_tool(registry, project, tool, actor):
    with change(registry, ToolUninstalled, node=tool, actor=actor,
                old={"tool": tool.tool, "mount": tool.mount, "label": tool.label}, new={},
                project=project) as ch:
        artifact_ids = [a["_id"] for a in
                        collection(Artifact).find({"tool_id": tool._id}, {"_id": 1})]
        if artifact_ids:
            Snapshot.query.remove({"artifact_id": {"$in": artifact_ids}})
            Artifact.query.remove({"tool_id": tool._id})
        tool.delete()
        ch.log("tool.uninstall", "uninstalled %s (%s)" % (tool.label, tool.mount),
               node=project, tool=tool.tool, mount=tool.mount)

