"""Notes: the example tool, versioned Markdown notes with sub-notes.

A tool as a declaration: ``config.add_tool`` mounts it and
``config.add_artifact_type`` declares its one artifact type, whose pages
(list, display, new, edit, preview, delete, history, diff, revert), private
flag, deletion and search document are the core's.  It imports ``forge.api``
only (``tests/test_import_contract.py`` checks it).
"""
from forge.api import AUTHOR, new_artifact_by_mail

from .model import Note, NoteForm


def includeme(config):
    config.add_tool("notes", title="Notes",
                    permissions=("read", "create", "update", "delete", "admin"),
                    default_acl=[("allow", "Member", "create")],
                    description="Versioned Markdown notes with sub-notes.")
    # a private note is read by its author and the project's developers only
    config.add_artifact_type(Note, tool="notes", form=NoteForm,
                             private_readers=("Developer", AUTHOR))
    # mail to notes.PROJECT@DOMAIN makes a note (forge.mail_in)
    config.add_mail_handler("notes", new_artifact_by_mail)
