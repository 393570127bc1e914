"""Changes to notes: create (optionally private), save a new version, delete.

Creation and saves go through the core's ``forge.actions.versions`` (snapshots,
optimistic saves); deletion is a flag, audited and announced like any change.
"""
from forge.api import (ArtifactDeleted, audit, create_versioned, emit, record, role_named,
                       save_versioned, session, set_fields, user_principal, with_privacy)

from .model import Note


def note_acl(project_doc, author, private):
    """A note's own ACL: empty (inherit), or readable by the project's
    developers and its author only."""
    if not private:
        return []
    readers = []
    developer = role_named(project_doc, "Developer")
    if developer is not None:
        readers.append(developer.principal)
    if author is not None:
        readers.append(user_principal(author._id))
    return with_privacy([], True, readers)


def create_note(registry, project_doc, tool_doc, parent_doc, name, fields, actor,
                private=False, comment=""):
    """Create a note named ``name`` at the top of the tool or under ``parent_doc``."""
    parent_path = parent_doc.path if parent_doc is not None else ""
    path = parent_path + "/" + name if parent_path else name
    return create_versioned(
        registry, Note, actor, comment=comment, path=path, parent_path=parent_path,
        project_id=tool_doc.project_id, tool_id=tool_doc._id,
        acl=note_acl(project_doc, actor, private),
        title=fields["title"], text=fields["text"], labels=fields["labels"],
        custom=fields["custom"], ext=fields["ext"])


def update_note(registry, note, edited_version, fields, actor, comment=""):
    """Save ``fields`` as the next version; raises StaleSave if ``edited_version``
    is not the current one.  Returns (note, changed)."""
    changes = {k: fields[k] for k in ("title", "text", "labels", "custom", "ext")}
    return save_versioned(registry, note, edited_version, changes, actor, comment=comment)


def delete_note(registry, note, actor):
    """Mark the note deleted: it answers 404 from now on, and so do its sub-notes
    (they are reached through it)."""
    audit(registry, "%s.%s" % (note.type, ArtifactDeleted.verb), node_type=type(note).__name__,
          node=note, old={"deleted": False}, new={"deleted": True}, actor=actor)
    set_fields(note, deleted=True)
    record(note, "artifact", actor, "notes.delete", "deleted note %s" % note.title,
           project_id=note.project_id, path=note.path)
    emit(registry, ArtifactDeleted(note, actor=actor))
    session.flush()

