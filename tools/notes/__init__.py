"""Notes: the example tool, versioned Markdown notes with sub-notes.

It proves the plugin contract: everything here goes through ``forge``'s
public API (``config.add_tool``, the resource base classes, the actions for
versioned artifacts, ``forge.fields`` and ``forge.rendering``) and nothing
else; no tool imports another.
"""
from .resources import NotesTool


def includeme(config):
    config.add_tool(
        "notes", title="Notes", resource=NotesTool,
        permissions=("read", "create", "update", "delete", "admin"),
        default_acl=[("allow", "Member", "create")],
        description="Versioned Markdown notes with sub-notes.")
    # templates live under templates/notes/, so they are named "notes/..."
    config.add_jinja2_search_path("tools.notes:templates", name=".jinja2")
    config.scan(".views")
    config.include(".search")
