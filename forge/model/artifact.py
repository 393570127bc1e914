"""Artifacts (what tools store) and versions of them.

``Artifact`` is polymorphic on ``type``: a tool subclasses it with its own
``polymorphic_identity`` and fields, restating ``type`` with that identity as
its ``if_missing`` (Ming's convention).  ``path`` is the artifact's place in its
tool ("Guide/Install"); ``family`` is its first segment, so a lineage of nested
artifacts loads with one equality query.
"""
from ming import schema as S
from ming.odm import FieldProperty, MappedClass

from .acl import ACE_SCHEMA
from .session import new_id, session, utcnow


class Artifact(MappedClass):
    class __mongometa__:
        session = session
        name = "artifact"
        polymorphic_on = "type"
        polymorphic_identity = "artifact"
        unique_indexes = [("tool_id", "path")]
        indexes = [("tool_id", "family"), ("tool_id", "deleted", "modified")]

    _id = FieldProperty(str, if_missing=new_id)
    type = FieldProperty(str, if_missing="artifact")
    project_id = FieldProperty(str, if_missing=None)
    tool_id = FieldProperty(str, if_missing=None)
    path = FieldProperty(str)
    family = FieldProperty(str)
    title = FieldProperty(str, if_missing="")
    acl = FieldProperty(ACE_SCHEMA)
    labels = FieldProperty([str])
    created = FieldProperty(S.DateTime, if_missing=utcnow)
    modified = FieldProperty(S.DateTime, if_missing=utcnow)
    author_id = FieldProperty(str, if_missing=None)
    deleted = FieldProperty(bool, if_missing=False)
    # why the artifact is hidden from all but site admins ("spam": its author's
    # account was disabled as spam; forge.visibility.hidden_acl), or ""
    hidden = FieldProperty(str, if_missing="")
    ext = FieldProperty({str: S.Anything})       # ext.{plugin}.{field}
    custom = FieldProperty({str: S.Anything})    # run-time custom fields

    @property
    def name(self):
        return self.path.rsplit("/", 1)[-1]


class VersionedArtifact(Artifact):
    """An artifact whose every commit writes a full ``Snapshot``.

    Subclasses list the fields a snapshot copies in ``versioned_fields``.
    """

    class __mongometa__:
        polymorphic_identity = "versioned"

    # Ming's polymorphism wants each subclass to restate its discriminator
    type = FieldProperty(str, if_missing="versioned")
    versioned_fields = ("title", "labels", "custom", "ext")
    version = FieldProperty(int, if_missing=0)

    def snapshot_data(self):
        return {name: plain_value(getattr(self, name)) for name in self.versioned_fields}


class Snapshot(MappedClass):
    class __mongometa__:
        session = session
        name = "snapshot"
        unique_indexes = [("artifact_id", "version")]

    _id = FieldProperty(str, if_missing=new_id)
    artifact_id = FieldProperty(str, if_missing=None)
    version = FieldProperty(int)
    author_id = FieldProperty(str, if_missing=None)
    timestamp = FieldProperty(S.DateTime, if_missing=utcnow)
    comment = FieldProperty(str, if_missing="")
    data = FieldProperty(S.Anything)


def plain_value(value):
    """``value`` with Ming's instrumented lists and dicts turned into plain ones, at
    every depth: what snapshots, audit entries and change comparisons store."""
    if isinstance(value, dict):
        return {k: plain_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain_value(v) for v in value]
    return value
