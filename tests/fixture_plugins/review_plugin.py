"""A plugin that adds review fields to the notes tool's notes, without
importing the notes tool: it only names the artifact type."""
from forge.fields import FieldSpec


def includeme(config):
    config.extend_artifact("notes.note", "review", [
        FieldSpec("reviewed", "Reviewed", "boolean"),
        FieldSpec("reviewer", "Reviewer", "user"),
    ])
