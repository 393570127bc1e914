"""What only site admins do: promote and demote site admins, delete and
undelete a project with its subprojects, the site's banner.

Disabling an account is ``forge.actions.users.set_disabled``.  Every change
here is one unit of work with its audit-log entry; a site admin may not
demote or disable themselves (the site could be left with no admin).
"""
from ..events import ProjectDeleted, ProjectUndeleted
from ..model import Project, User
from ..model.site import SiteConfig
from ..names import single_line
from ..unit_of_work import change
from . import ActionError

MAX_BANNER = 300


def set_site_admin(user, site_admin, actor):
    site_admin = bool(site_admin)
    if user.site_admin == site_admin:
        return user
    if not site_admin and user._id == actor._id:
        raise ActionError("You cannot take away your own site admin rights; "
                          "another site admin can.")
    with change(None, None, node=user, actor=actor, new={"site_admin": site_admin}) as ch:
        user.site_admin = site_admin
        ch.log("user.site-admin.grant" if site_admin else "user.site-admin.revoke",
               "made %s a site admin" % user.username if site_admin
               else "took site admin rights from %s" % user.username)
    return user


def check_not_self(user, actor, what):
    if user._id == actor._id:
        raise ActionError("You cannot %s your own account." % what)


def subtree(project):
    """The project and every subproject under it, at any depth."""
    prefix = project.shortname + "/"
    family = Project.query.find({"neighborhood_id": project.neighborhood_id,
                                 "family": project.family}).all()
    return [p for p in family if p._id == project._id or p.shortname.startswith(prefix)]


def set_project_deleted(registry, project, deleted, actor, version=None):
    """Soft-delete a project with its subprojects (their pages, tools and
    artifacts answer 404 and leave lists, search, activity and feeds, which
    resolve nodes through the tree) or bring them back.  Nothing is erased."""
    deleted = bool(deleted)
    if project.deleted == deleted:
        return project
    if not deleted and project.parent_id:
        parent = Project.query.get(_id=project.parent_id)
        if parent is not None and parent.deleted:
            raise ActionError("Its parent project %s is deleted: undelete that first."
                              % parent.shortname)
    event = ProjectDeleted if deleted else ProjectUndeleted
    projects = [p for p in subtree(project) if p.deleted != deleted]
    with change(registry, event, node=project, actor=actor, version=version,
                old={"deleted": not deleted}, new={"deleted": deleted},
                project_id=project._id) as ch:
        for doc in projects:
            doc.deleted = deleted
        names = [p.shortname for p in projects]
        ch.log("project.delete" if deleted else "project.undelete",
               "%s %s" % ("deleted" if deleted else "undeleted", ", ".join(names[:20])),
               projects=names)
        ch.event_detail["projects"] = names
    return project


def set_banner(registry, text, actor, version=None):
    """The notice every page shows; an empty text takes it down."""
    text = (text or "").strip()
    if not single_line(text):
        raise ActionError("A banner is one line of plain text.")
    if len(text) > MAX_BANNER:
        raise ActionError("A banner is at most %d characters." % MAX_BANNER)
    site = SiteConfig.query.get(key="site")
    if text == site.banner:
        return site
    with change(registry, None, node=site, actor=actor, version=version,
                old={"banner": site.banner}, new={"banner": text}) as ch:
        site.banner = text
        ch.log("site.banner", "set the banner" if text else "took the banner down",
               banner=text)
    return site


def find_user(username):
    user = User.query.get(username=username) if username else None
    if user is None:
        raise ActionError("There is no user %r." % str(username)[:40])
    return user
