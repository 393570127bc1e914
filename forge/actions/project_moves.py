"""Renaming and moving a project with its subprojects, and purging a deleted one.

A project's ``shortname`` is its whole path in the neighborhood and ``family``
its first segment, copied to its tools (``forge.model.project``) and to the
activity entries of its tree (``family_key``); everything else names a project
or a tool by id (artifacts, threads, attachments, repositories, watches,
tokens), so a move rewrites those three and nothing else.  The old path
leaves a ``ProjectRedirect`` naming the project by id (no chains).  The move
is one ``project.updated`` event; the search reactor re-indexes the project's
tree on it, whose documents carry their URL.
"""
from gridfs.errors import NoFile
from ming.odm import Mapper

from ..activity.model import ActivityEntry
from ..attachments.files import bucket
from ..attachments.model import Attachment
from ..events import ForgeEvent, ProjectUpdated
from ..model import ChangeLogEntry, OutboxEvent, Project, ToolInstance
from ..model.project_redirect import ProjectRedirect
from ..model.session import collection
from ..names import InvalidName, check_shortname
from ..unit_of_work import change
from . import ActionError
from .projects import uninstall_tool
from .roles import roles_project
from .site_admin import subtree

# what a purge keeps: the audit trail, and the outbox (bookkeeping, pruned by age)
KEPT_ON_PURGE = (ChangeLogEntry, OutboxEvent)


class ProjectPurged(ForgeEvent):
    topic = "project.purged"


def is_within(project, other):
    """Whether ``other`` is ``project`` or one of its subprojects."""
    return other.neighborhood_id == project.neighborhood_id and (
        other._id == project._id or other.shortname.startswith(project.shortname + "/"))


def check_destination(project, new_parent, name):
    """The new full shortname, or ActionError saying why not."""
    if project.deleted:
        raise ActionError("%s is deleted; undelete it first." % project.shortname)
    try:
        check_shortname(name, "short name")
    except InvalidName as e:
        raise ActionError(str(e))
    if project.user_id is not None and project.parent_id is None:
        raise ActionError("A personal project is named after its owner; it cannot be "
                          "renamed or moved.")
    if new_parent is not None:
        if new_parent.neighborhood_id != project.neighborhood_id:
            raise ActionError("A project moves only within its neighborhood.")
        if is_within(project, new_parent):
            raise ActionError("A project cannot move under itself or one of its own "
                              "subprojects.")
        if new_parent.deleted:
            raise ActionError("%s is deleted." % new_parent.shortname)
    if (new_parent._id if new_parent else None) != project.parent_id \
            and roles_project(project)._id != project._id:
        # its ACL names its parent's roles, which would no longer reach it
        raise ActionError("%s uses its parent's roles; give it its own roles (Roles and "
                          "members) before moving it to another parent." % project.shortname)
    full = new_parent.shortname + "/" + name if new_parent is not None else name
    if full != project.shortname:
        if Project.query.get(neighborhood_id=project.neighborhood_id, shortname=full):
            raise ActionError("The name %r is taken." % full)
        if new_parent is not None and ToolInstance.query.get(project_id=new_parent._id,
                                                             mount=name):
            raise ActionError("%r is already a tool of %s." % (name, new_parent.shortname))
    return full


def move_project(registry, project, new_parent, name, actor, version=None):
    """Rename ``project`` to ``name`` under ``new_parent`` (a Project, or None
    for the top level), its subprojects and tools with it.  ``version``: the
    one the form showed (a stale form is a 409)."""
    full = check_destination(project, new_parent, (name or "").strip())
    old_full, old_parent_id = project.shortname, project.parent_id
    if full == old_full:
        return project
    projects = subtree(project)
    old_family, family = project.family, full.split("/", 1)[0]

    def same_destination(new):
        if new != {"shortname": full}:
            raise ActionError("The new name was changed on the way; nothing was moved.")

    with change(registry, ProjectUpdated, node=project, actor=actor, version=version,
                old={"shortname": old_full}, new={"shortname": full},
                validate=same_destination, changes=["shortname"],
                on_duplicate="The name %r was taken meanwhile; nothing was moved." % full) as ch:
        for doc in projects:
            doc.shortname = full + doc.shortname[len(old_full):]
            doc.family = family
        project.parent_id = new_parent._id if new_parent is not None else None
        if family != old_family:
            for doc in projects:
                for tool in ToolInstance.query.find({"project_id": doc._id}):
                    tool.family = family
        ch.log("project.move" if project.parent_id != old_parent_id else "project.rename",
               "moved %s to %s" % (old_full, full), renamed_from=old_full, renamed_to=full)
        ch.event_detail.update(changes=["shortname"], renamed_from=old_full, renamed_to=full)
    leave_redirect(project, old_full, full, [p._id for p in projects])
    if family != old_family:
        key = "%s/%s" % (project.neighborhood_id, family)
        for doc in projects:
            collection(ActivityEntry).update_many({"project_id": doc._id},
                                                  {"$set": {"family_key": key}})
    return project


def leave_redirect(project, old_full, new_full, project_ids):
    """Old path -> the project; none at the new paths (a redirect only
    answers for a path no live project holds, but a deleted one there later
    should not make it come back)."""
    for redirect in ProjectRedirect.query.find({"neighborhood_id": project.neighborhood_id}):
        if redirect.old_shortname == new_full or redirect.old_shortname.startswith(
                new_full + "/"):
            redirect.delete()
    ProjectRedirect(neighborhood_id=project.neighborhood_id, old_shortname=old_full,
                    project_id=project._id)
    ProjectRedirect.query.session.flush()


def forget_redirects_at(event):
    """A project created where a redirect pointed from takes the name over."""
    project = event.node
    ProjectRedirect.query.remove({"neighborhood_id": project.neighborhood_id,
                                  "old_shortname": project.shortname})


def purge_project(registry, project, confirmation, actor):
    """Erase a deleted project and its subprojects: their tools (each
    uninstalled, so tools remove what they keep outside the database, such as
    repositories), attachments and their bytes, roles, activity, watches,
    webhooks, redirects and every other document naming one of them or their
    tools.  The audit log keeps its entries, and gains the purge's."""
    if not project.deleted:
        raise ActionError("Only a deleted project can be purged; delete it first.")
    if (confirmation or "").strip() != project.shortname:
        raise ActionError("Type the project's name %r to confirm; nothing was purged."
                          % project.shortname)
    projects = sorted(subtree(project), key=lambda p: -p.depth)
    project_ids = [p._id for p in projects]
    names = [p.shortname for p in projects]
    tool_ids = []
    for doc in projects:
        for tool in ToolInstance.query.find({"project_id": doc._id}).all():
            tool_ids.append(tool._id)
            uninstall_tool(registry, doc, tool, actor)
    with change(registry, ProjectPurged, node=project, actor=actor, old={"deleted": True},
                new={"purged": True}, projects=names) as ch:
        erase_documents(project_ids, tool_ids)
        for doc in projects:
            if doc is not project:
                doc.delete()
        project.delete()
        ch.log("project.purge", "purged %s" % ", ".join(names[:20]), projects=names)
    return names


def erase_documents(project_ids, tool_ids):
    """Every stored document of every mapped class that names one of these
    projects or tools (tools' own collections included), attachments' bytes first."""
    for project_id in project_ids:
        for attachment in collection(Attachment).find({"project_id": project_id},
                                                      {"file_id": 1}):
            try:
                bucket().delete(attachment.get("file_id"))
            except NoFile:          # never stored, or erased already
                pass
    kept = {mapper_collection(c.query.mapper) for c in KEPT_ON_PURGE + (Project, ToolInstance)}
    erased = set()
    for mapper in Mapper.all_mappers():
        name = mapper_collection(mapper)
        # subclasses share their base's collection; abstract bases have none
        if not name or name in kept or name in erased:
            continue
        erased.add(name)
        fields = {p.name for p in mapper.properties}
        documents = collection(mapper.mapped_class)
        if "project_id" in fields:
            for project_id in project_ids:
                documents.delete_many({"project_id": project_id})
        if "tool_id" in fields:
            for tool_id in tool_ids:
                documents.delete_many({"tool_id": tool_id})


def mapper_collection(mapper):
    return mapper.collection.m.collection_name
