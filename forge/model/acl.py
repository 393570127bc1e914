"""ACLs as stored data: a list of ``{access, principal, permission}`` dicts.

Pyramid wants tuples ``(Allow, principal, permission)``; ``to_pyramid`` converts,
with ``*`` standing for ``ALL_PERMISSIONS``.
"""
from pyramid.authorization import ALL_PERMISSIONS, Allow, Deny

ACE_SCHEMA = [dict(access=str, principal=str, permission=str)]

EVERYONE = "system.Everyone"
AUTHENTICATED = "system.Authenticated"


def ace(access, principal, permission):
    if access not in ("allow", "deny"):
        raise ValueError("access must be 'allow' or 'deny'")
    return {"access": access, "principal": principal, "permission": permission}


def role_principal(role_id):
    return "role:%s" % role_id


def user_principal(user_id):
    return "user:%s" % user_id


def to_pyramid(stored):
    result = []
    for entry in stored or ():
        permission = entry["permission"]
        result.append((Allow if entry["access"] == "allow" else Deny,
                       entry["principal"],
                       ALL_PERMISSIONS if permission == "*" else permission))
    return result


def is_private(stored):
    """A node is private when its last entry denies ``read`` to everyone."""
    return bool(stored) and stored[-1] == ace("deny", EVERYONE, "read")


def with_privacy(stored, private, readers=()):
    """Return ``stored`` made private (readers + a final deny) or public."""
    entries = [dict(e) for e in stored
               if not (e["principal"] == EVERYONE and e["permission"] == "read")]
    if private:
        for principal in readers:
            entry = ace("allow", principal, "read")
            if entry not in entries:
                entries.append(entry)
        entries.append(ace("deny", EVERYONE, "read"))
    return entries


def insert_entry(stored, entry):
    """Where a new entry goes: denies first, allows after them, the trailing
    public/private rule stays last.  Returns a new list."""
    entries = [dict(e) for e in stored]
    if entry in entries:
        return entries
    if entry["access"] == "deny":
        body = entries[:-1] if is_private(entries) else entries
        position = next((i for i, e in enumerate(body) if e["access"] == "allow"),
                        len(body))
        entries.insert(position, entry)
    elif is_private(entries):
        entries.insert(len(entries) - 1, entry)
    else:
        entries.append(entry)
    return entries

