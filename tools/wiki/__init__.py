"""Wiki: Markdown pages with history, diffs, links, sub-pages and attachments."""


def includeme(config):
    config.add_tool(
        "wiki", title="Wiki",
        permissions=("read", "create", "update", "delete", "post", "unmoderated_post",
                     "moderate", "admin"),
        default_acl=[("allow", "Developer", "update"), ("allow", "Member", "create")],
        description="Markdown pages with history, diffs and attachments.")
