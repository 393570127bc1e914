"""Neighborhoods, projects (and subprojects) and tool instances.

A project stores its full ``shortname`` path inside its neighborhood
("demo/docs/api") and its ``family`` (the first segment), so that the whole
lineage of a deep URL loads with one indexed equality query.
"""
from ming import schema as S
from ming.odm import FieldProperty, MappedClass

from .acl import ACE_SCHEMA
from .session import new_id, session, utcnow


class Neighborhood(MappedClass):
    class __mongometa__:
        session = session
        name = "neighborhood"
        unique_indexes = [("name",)]

    _id = FieldProperty(str, if_missing=new_id)
    name = FieldProperty(str)          # URL segment: "p", "u"
    title = FieldProperty(str)
    kind = FieldProperty(str, if_missing="projects")   # or "users"
    acl = FieldProperty(ACE_SCHEMA)


class Project(MappedClass):
    class __mongometa__:
        session = session
        name = "project"
        unique_indexes = [("neighborhood_id", "shortname")]
        indexes = [("neighborhood_id", "family"), ("parent_id",)]

    _id = FieldProperty(str, if_missing=new_id)
    neighborhood_id = FieldProperty(str, if_missing=None)
    shortname = FieldProperty(str)     # "demo/docs": path under the neighborhood
    family = FieldProperty(str)        # "demo": first segment of shortname
    parent_id = FieldProperty(str, if_missing=None)
    title = FieldProperty(str)
    description = FieldProperty(str, if_missing="")
    acl = FieldProperty(ACE_SCHEMA)
    user_id = FieldProperty(str, if_missing=None)   # owner of a /u/ project
    created = FieldProperty(S.DateTime, if_missing=utcnow)
    deleted = FieldProperty(bool, if_missing=False)
    # settings versions (``forge.unit_of_work``): the edit form's, and the roles
    # page's (the roles this project owns); a document stored without one is at 0
    version = FieldProperty(int, if_missing=0)
    roles_version = FieldProperty(int, if_missing=0)

    @property
    def name(self):
        return self.shortname.rsplit("/", 1)[-1]

    @property
    def depth(self):
        return self.shortname.count("/")


class ToolInstance(MappedClass):
    """A tool mounted in a project under ``mount`` (its URL segment)."""

    class __mongometa__:
        session = session
        name = "tool_instance"
        unique_indexes = [("project_id", "mount")]
        indexes = [("neighborhood_id", "family")]

    _id = FieldProperty(str, if_missing=new_id)
    project_id = FieldProperty(str, if_missing=None)
    # copied from the project, so a URL loads all tools of its family at once
    neighborhood_id = FieldProperty(str, if_missing=None)
    family = FieldProperty(str)
    tool = FieldProperty(str)          # registered tool name: "notes", "wiki"
    mount = FieldProperty(str)
    label = FieldProperty(str)
    position = FieldProperty(int, if_missing=0)
    acl = FieldProperty(ACE_SCHEMA)
    options = FieldProperty({str: S.Anything})
    # run-time typed fields added by a project admin; see forge.fields
    custom_fields = FieldProperty([S.Anything])
    created = FieldProperty(S.DateTime, if_missing=utcnow)
    # settings version (label, mount, options, custom fields): ``forge.unit_of_work``
    version = FieldProperty(int, if_missing=0)
