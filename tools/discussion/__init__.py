"""Discussion: forums of threaded, moderated posts."""


def includeme(config):
    config.add_tool(
        "discussion", title="Discussion",
        permissions=("read", "create", "update", "delete", "post", "unmoderated_post",
                     "moderate", "admin"),
        default_acl=[("allow", "Developer", "moderate"), ("allow", "Member", "post")],
        description="Forums of threaded, moderated posts.")
