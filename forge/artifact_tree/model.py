"""The redirect a moved artifact leaves at its old path."""
from ming.odm import FieldProperty, MappedClass

from ..model.session import new_id, session


class ArtifactRedirect(MappedClass):
    """An old artifact path of a tool that leads to where the artifact went;
    looked up only when a path misses (one indexed equality query)."""

    class __mongometa__:
        session = session
        name = "artifact_redirect"
        unique_indexes = [("tool_id", "old_path")]
        indexes = [("tool_id", "new_path")]

    _id = FieldProperty(str, if_missing=new_id)
    tool_id = FieldProperty(str)
    old_path = FieldProperty(str)
    new_path = FieldProperty(str)
