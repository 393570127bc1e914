"""The redirect a renamed or moved project leaves at its old path."""
from ming.odm import FieldProperty, MappedClass

from .session import new_id, session


class ProjectRedirect(MappedClass):
    """An old project path of a neighborhood that leads to the project now
    called otherwise.  It names the project by id, not by its new path, so a
    project renamed twice never makes a chain: the target is wherever the
    project is now.  Looked up only when a path misses (indexed equalities)."""

    class __mongometa__:
        session = session
        name = "project_redirect"
        unique_indexes = [("neighborhood_id", "old_shortname")]
        indexes = [("project_id",)]

    _id = FieldProperty(str, if_missing=new_id)
    neighborhood_id = FieldProperty(str)
    old_shortname = FieldProperty(str)
    project_id = FieldProperty(str)
