"""``ActivityEntry``: one line of a project's activity, written by a reactor.

The ``_id`` is the event id (and ``event_id`` repeats it under a unique index),
so recording an event twice is a duplicate-key no-op.  ``timestamp`` is epoch
seconds (sortable, and portable to nx-27017).  The title and summary are those
of the moment the event was processed, and are shown only to viewers who may
read the node *now* (``forge.activity.query``).
"""
from ming.odm import FieldProperty, MappedClass

from ..model.session import session


class ActivityEntry(MappedClass):
    class __mongometa__:
        session = session
        name = "activity"
        unique_indexes = [("event_id",)]
        # newest first per project, tool, person and node (issue 5's feeds reuse them)
        indexes = [("project_id", "timestamp"), ("tool_id", "timestamp"),
                   ("actor_id", "timestamp"), ("node_id", "timestamp"),
                   # a project with its subprojects; an artifact with its comments
                   ("family_key", "timestamp"), ("artifact_id", "timestamp")]

    _id = FieldProperty(str)
    event_id = FieldProperty(str)
    project_id = FieldProperty(str, if_missing=None)
    tool_id = FieldProperty(str, if_missing=None)
    node_type = FieldProperty(str)
    node_id = FieldProperty(str, if_missing=None)
    path = FieldProperty(str, if_missing=None)
    topic = FieldProperty(str)
    verb = FieldProperty(str)
    actor_id = FieldProperty(str, if_missing=None)
    title = FieldProperty(str, if_missing="")
    summary = FieldProperty(str, if_missing="")
    timestamp = FieldProperty(float)
    # "{neighborhood_id}/{family}": the project tree the entry belongs to
    family_key = FieldProperty(str, if_missing=None)
    # the artifact an artifact event or a comment is about
    artifact_id = FieldProperty(str, if_missing=None)
