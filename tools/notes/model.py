"""The one document type of the notes tool, and its form."""
from ming.odm import FieldProperty

from forge.api import (ArtifactForm, LabelsField, MarkdownField, NameField, TitleField,
                       VersionedArtifact)


class Note(VersionedArtifact):
    """A Markdown note; its path nests it under another note ("Guide/Install")."""

    class __mongometa__:
        polymorphic_identity = "notes.note"
        # the tool page lists top-level notes by title: one indexed range scan
        indexes = [("tool_id", "parent_path", "deleted", "title")]

    # Ming's polymorphism wants the discriminator restated with the identity
    type = FieldProperty(str, if_missing=__mongometa__.polymorphic_identity)
    text = FieldProperty(str, if_missing="")
    # the path of the note this one is under, "" at the top; set once, at creation
    parent_path = FieldProperty(str, if_missing="")
    versioned_fields = ("title", "text", "labels", "custom", "ext")


class NoteForm(ArtifactForm):
    title = TitleField()
    name = NameField()
    text = MarkdownField()
    labels = LabelsField()
