"""Notes: the example tool, versioned Markdown notes with sub-notes.

It proves the plugin contract: everything it takes from the platform comes
from ``forge.api`` (the resource base classes, the actions for versioned
artifacts, fields, rendering) and the directives ``config.add_tool`` and
``config.add_search_type``; no tool imports another
(``tests/test_import_contract.py`` checks both).
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
