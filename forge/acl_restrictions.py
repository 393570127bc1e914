"""Whether a node's own ACL narrows what its parent allows.

Denormalised summaries (a forum's last post, counts) are one copy shown to
every reader of the container, so they may only hold children every such
reader may read: a child whose stored ACL denies ``read`` to anyone (a
private thread in a public forum) is left out.
"""


def restricts(acl, permission):
    """True when the stored ``acl`` (``forge.model.acl`` entries) denies
    ``permission`` (or "*") to anyone."""
    return any(entry.get("access") == "deny" and entry.get("permission") in (permission, "*")
               for entry in acl or ())
