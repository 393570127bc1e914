"""What each permission lets one do, in words, for the permissions page.

A tool explains its own permissions with ``config.add_tool(...,
permission_help={"push": "Push commits and tags."})``; names it does not
explain fall back to these core sentences.
"""
CORE_HELP = {
    "read": "See it and everything in it (every other permission needs this too).",
    "create": "Create new items (pages, tickets, threads, notes).",
    "update": "Edit items, including other people's.",
    "delete": "Delete and undelete items.",
    "post": "Comment; new comments wait for a moderator unless “unmoderated post” is also given.",
    "unmoderated_post": "Comment without waiting for a moderator.",
    "moderate": "Approve, hide and delete comments; lock threads.",
    "configure": "Change the tool's or project's settings.",
    "admin": "Manage permissions, roles, members and tools.",
    "create_project": "Create projects here.",
    "push": "Push commits and tags.",
}


def permission_help(node, name):
    """The sentence for permission ``name`` on ``node`` (its tool's own first)."""
    tool_type = getattr(getattr(node, "tool_node", None), "tool_type", None) \
        or getattr(node, "tool_type", None)
    own = dict(getattr(tool_type, "permission_help", ()) or ())
    return own.get(name) or CORE_HELP.get(name, "")
