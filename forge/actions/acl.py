"""The one way an ACL changes: validated, audited, versioned in the log, announced."""
from ..events import AclChanged
from ..model import ProjectRole, User, session
from ..model.acl import AUTHENTICATED, EVERYONE, ace, insert_entry
from ..security import can, forget_readable, user_principals
from . import ActionError
from .audit import record
from .roles import admin_user_ids


def parse_principal(text):
    """Accept ``system.Everyone``, ``system.Authenticated``, ``user:ID``, ``role:ID``
    or a username; return the stored principal or raise ActionError."""
    text = (text or "").strip()
    if text in ("Everyone", EVERYONE):
        return EVERYONE
    if text in ("Authenticated", AUTHENTICATED):
        return AUTHENTICATED
    kind, _, ident = text.partition(":")
    if kind in ("user", "role") and ident:
        if kind == "user":
            if User.query.get(_id=ident):
                return text
            user = User.by_username(ident)
            if user is not None:
                return "user:%s" % user._id
            raise ActionError("There is no user %r." % ident)
        if ProjectRole.query.get(_id=ident):
            return text
        raise ActionError("There is no such role.")
    user = User.by_username(text.lower()) if text else None
    if user is not None:
        return "user:%s" % user._id
    raise ActionError("Name a user, a role, Everyone or Authenticated (got %r)." % text[:80])


def check_entry(node, access, principal, permission):
    if access not in ("allow", "deny"):
        raise ActionError("Access must be 'allow' or 'deny'.")
    names = node.permission_names()
    if permission != "*" and permission not in names:
        raise ActionError("Unknown permission %r here. Known: %s." % (
            permission[:60], ", ".join(names)))
    return ace(access, parse_principal(principal), permission)


def _lockout_check(node, new_acl):
    """Refuse a change after which no admin of the project could administer the node."""
    project = node.project
    if project is None:
        return
    admins = [u for u in (User.query.get(_id=i) for i in admin_user_ids(project.doc)) if u]
    if not admins:
        return
    old = node.doc.acl
    node.doc.acl = new_acl
    forget_readable(node)
    try:
        ok = any(can(node, user_principals(u), "admin") for u in admins)
    finally:
        node.doc.acl = old
        forget_readable(node)
    if not ok:
        raise ActionError("This change would lock every project admin out of this page; "
                          "it was not saved.")


def set_acl(registry, node, new_acl, actor, action, summary, **detail):
    _lockout_check(node, new_acl)
    node.doc.acl = new_acl
    forget_readable(node)
    project = node.project
    record(node.doc, node.kind, actor, action, summary,
           project_id=project.doc._id if project else None, acl=new_acl, **detail)
    session.flush()
    registry.notify(AclChanged(node.doc, actor=actor, kind=node.kind, action=action))


def add_entry(registry, node, access, principal, permission, actor):
    entry = check_entry(node, access, principal, permission)
    if entry in node.doc.acl:
        raise ActionError("That entry is already there.")
    new_acl = insert_entry(node.doc.acl, entry)
    set_acl(registry, node, new_acl, actor, "acl.add",
            "%s %s %s" % (access, describe_principal(entry["principal"]), permission),
            entry=entry)


def remove_entry(registry, node, index, actor):
    acl = [dict(e) for e in node.doc.acl]
    if not 0 <= index < len(acl):
        raise ActionError("There is no such entry (the list may have changed; reload).")
    entry = acl.pop(index)
    set_acl(registry, node, acl, actor, "acl.remove",
            "removed %s %s %s" % (entry["access"], describe_principal(entry["principal"]),
                                 entry["permission"]), entry=entry)


def describe_principal(principal, cache=None):
    """A human name for a principal: a username, 'Developer (demo)', 'Everyone'."""
    if principal == EVERYONE:
        return "Everyone"
    if principal == AUTHENTICATED:
        return "Signed-in users"
    kind, _, ident = principal.partition(":")
    if kind == "user":
        user = User.query.get(_id=ident)
        return user.username if user else principal
    if kind == "role":
        from ..model import Project
        role = ProjectRole.query.get(_id=ident)
        if role is None:
            return principal
        project = Project.query.get(_id=role.project_id)
        return "%s (%s)" % (role.name, project.shortname if project else "?")
    return principal
