"""Changes to notes: the core's actions of a declared artifact type (``forge.api``)."""
from forge.api import create_artifact, delete_artifact, save_artifact

from .model import Note


def create_note(registry, project_doc, tool_doc, parent_doc, name, fields, actor,
                private=False, comment=""):
    """Create a note named ``name`` at the top of the tool or under ``parent_doc``."""
    return create_artifact(registry, Note, project_doc, tool_doc, parent_doc, name, fields,
                           actor, private=private, comment=comment)


update_note, delete_note = save_artifact, delete_artifact
