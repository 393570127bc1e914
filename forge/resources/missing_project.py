"""What a project path that misses may still be: an old name of a renamed or
moved project (``MovedProject``, redirected by ``forge.views.project_moves``),
or, for site admins and the project's own admins, a deleted project
(``DeletedProject``: its page offers to undelete it, and site admins to purge
it).  Everyone else gets the 404 a path that never existed gets.  Both cost indexed queries only on a miss.
"""
from pyramid.authorization import DENY_ALL, Allow
from zope.interface import Interface, implementer

from ..model import Project, ProjectRole
from ..model.project_redirect import ProjectRedirect


class IMovedProject(Interface):
    """A path a project was renamed or moved away from (with what followed it)."""


class IDeletedProject(Interface):
    """A deleted project, as a site admin reaches it."""


@implementer(IMovedProject)
class MovedProject:
    """``old_path``: the path under the neighborhood as asked, from the old
    project name on (``old/wiki/Page``); views look up the longest old name
    in it that has a redirect, so a subproject renamed before its parent
    still leads to where it is now."""

    __acl__ = ()

    def __init__(self, neighborhood, old_path, name, parent):
        self.neighborhood, self.old_path = neighborhood, old_path
        self.__name__, self.__parent__ = name, parent

    @property
    def request(self):
        return self.__parent__.request

    @property
    def title(self):
        return self.__name__

    @property
    def project(self):
        return None

    def __getitem__(self, name):
        # every further segment, view names included, belongs to the old URL
        return MovedProject(self.neighborhood, self.old_path + "/" + name, name, self)


@implementer(IDeletedProject)
class DeletedProject:
    """A leaf: nothing inside a deleted project is served, only its own page."""

    kind = "deleted-project"

    def __init__(self, doc, name, parent):
        self.doc, self.__name__, self.__parent__ = doc, name, parent

    def __acl__(self):
        # the policy answers for site admins before any ACL; the project's own
        # admins may see it and undelete it (purging is for site admins only)
        admin = ProjectRole.query.get(project_id=self.doc._id, name="Admin")
        own = [(Allow, admin.principal, "read"), (Allow, admin.principal, "admin")] \
            if admin is not None else []
        return own + [DENY_ALL]

    @property
    def request(self):
        return self.__parent__.request

    @property
    def title(self):
        return self.doc.title

    @property
    def project(self):
        return None

    def permission_names(self):
        return self.__parent__.permission_names()


def on_miss(parent, neighborhood, shortname, name):
    """The node at ``shortname`` (a project path that traversal did not find
    among the live projects) or KeyError."""
    request = parent.request
    site_admin = getattr(request, "is_site_admin", False)
    if site_admin or getattr(request, "user", None) is not None:
        doc = Project.query.get(neighborhood_id=neighborhood.doc._id, shortname=shortname,
                                deleted=True)
        if doc is not None:
            node = DeletedProject(doc, name, parent)
            if site_admin or request.can("admin", node):
                return node
    if ProjectRedirect.query.get(neighborhood_id=neighborhood.doc._id,
                                 old_shortname=shortname) is not None:
        return MovedProject(neighborhood, shortname, name, parent)
    raise KeyError(name)


def redirect_target(neighborhood_id, old_path):
    """(project document, the rest of the path after its old name) for the
    longest old name ``old_path`` starts with, or (None, None)."""
    segments = old_path.split("/")
    for end in range(len(segments), 0, -1):
        moved = ProjectRedirect.query.get(neighborhood_id=neighborhood_id,
                                          old_shortname="/".join(segments[:end]))
        if moved is not None:
            return Project.query.get(_id=moved.project_id), segments[end:]
    return None, None
