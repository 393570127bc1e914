"""Notes: a tiny example tool (versioned pages with sub-pages)."""


def includeme(config):
    config.add_tool(
        "notes", title="Notes",
        permissions=("read", "create", "update", "delete", "admin"),
        default_acl=[("allow", "Member", "create")],
        description="Versioned Markdown notes with sub-notes.")
