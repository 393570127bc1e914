"""Tracker: numbered tickets with states, milestones, custom fields and comments."""


def includeme(config):
    config.add_tool(
        "tracker", title="Tickets",
        permissions=("read", "create", "update", "delete", "post", "unmoderated_post",
                     "moderate", "admin"),
        default_acl=[("allow", "Developer", "update"), ("allow", "Member", "create")],
        description="Tickets with states, milestones and custom fields.",
        default_mount="tickets")
