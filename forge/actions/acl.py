"""The one way an ACL changes: validated, passed by the auditors, logged, announced.

``add_entry``, ``remove_entry``, ``set_privacy`` and ``set_acl`` (which the
others end in) refuse unknown permissions, principals and any change that
would leave no project admin able to administer the node; each is one unit of
work (``forge.unit_of_work``): an audit-log entry carrying the new ACL and an
``AclChanged`` event, flushed with it.
"""
from ..events import AclChanged
from ..model import ProjectRole, User
from ..model.session import set_fields
from ..model.acl import (AUTHENTICATED, EVERYONE, ace, insert_entry, is_private,
                         with_privacy)
from ..security import can, forget_readable, user_principals
from . import ActionError
from .roles import admin_user_ids, role_named
from ..unit_of_work import change

MAX_PRINCIPAL = 200


def parse_principal(text):
    """Accept ``system.Everyone``, ``system.Authenticated``, ``user:ID``, ``role:ID``
    or a username; return the stored principal or raise ActionError."""
    text = (text or "").strip()
    if len(text) > MAX_PRINCIPAL:
        raise ActionError("That name is too long to be a user or a role.")
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
    permission = (permission or "").strip()
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
    everyone = [user_principals(u) for u in admins]
    if not any(can(node, principals, "admin") for principals in everyone):
        return      # already closed to them: do not block the change that reopens it
    old = node.doc.acl
    node.doc.acl = new_acl
    forget_readable(node)
    try:
        ok = any(can(node, principals, "admin") for principals in everyone)
    finally:
        node.doc.acl = old
        forget_readable(node)
    if not ok:
        raise ActionError("This change would lock every project admin out of this page; "
                          "it was not saved.")


def set_acl(registry, node, new_acl, actor, action, summary, **detail):
    """Store ``new_acl`` on ``node`` (a resource) after the auditors (who may
    change the list) and the lock-out check (on the list they leave)."""
    # the lock-out check runs on the list the auditors left
    with change(registry, AclChanged, node=node.doc, actor=actor,
                old={"acl": [dict(e) for e in node.doc.acl]},
                new={"acl": [dict(e) for e in new_acl]},
                kind=node.kind, action=action, summary=summary) as ch:
        new_acl = ch.new["acl"]
        _lockout_check(node, new_acl)
        set_fields(node.doc, acl=new_acl)
        forget_readable(node)
        project = node.project
        ch.log(action, summary, kind=node.kind,
               project_id=project.doc._id if project else None, acl=new_acl, **detail)
        ch.event_detail.update(kind=node.kind, action=action)


def add_entry(registry, node, access, principal, permission, actor):
    entry = check_entry(node, access, principal, permission)
    if entry in node.doc.acl:
        raise ActionError("That entry is already there.")
    new_acl = insert_entry(node.doc.acl, entry)
    set_acl(registry, node, new_acl, actor, "acl.add",
            "%s %s %s" % (access, describe_principal(entry["principal"]), entry["permission"]),
            entry=entry)


def remove_entry(registry, node, index, actor, expected=None):
    """Remove the local entry at ``index``; ``expected`` (the entry the user saw
    there) guards against a list that changed since the page was shown."""
    acl = [dict(e) for e in node.doc.acl]
    if not 0 <= index < len(acl) or (expected is not None and acl[index] != expected):
        raise ActionError("There is no such entry (the list may have changed; reload).")
    entry = acl.pop(index)
    set_acl(registry, node, acl, actor, "acl.remove",
            "removed %s %s %s" % (entry["access"], describe_principal(entry["principal"]),
                                 entry["permission"]), entry=entry)


def default_readers(node):
    """Who reads a node made private when nobody is named: the project's members."""
    project = node.project
    member = role_named(project.doc, "Member") if project is not None else None
    return [member.principal] if member else []


def set_privacy(registry, node, private, actor, readers=None):
    """Make a node below (or at) a project private to ``readers`` or public again.

    ``readers`` are principals or usernames (validated); None means the
    project's Member role.  A public node inherits who may read it.
    """
    if node.project is None:
        raise ActionError("Only projects and what is inside them can be made private.")
    if bool(private) == is_private(node.doc.acl):
        # readers of a private node change entry by entry (add_entry, remove_entry)
        raise ActionError("It is already %s." % ("private" if private else "public"))
    if private:
        names = default_readers(node) if readers is None else readers
        principals = []
        for name in names:
            principal = parse_principal(name)
            if principal not in principals:
                principals.append(principal)
        if not principals:
            raise ActionError("Name at least one reader (a role or a user) of the private page.")
        if EVERYONE in principals:
            raise ActionError("A private page cannot be readable by Everyone.")
        new_acl = with_privacy(node.doc.acl, True, principals)
        summary = "made private; readers: %s" % ", ".join(
            describe_principal(p) for p in principals)
    else:
        principals = []
        new_acl = with_privacy(node.doc.acl, False)
        summary = "made public"
    set_acl(registry, node, new_acl, actor, "acl.privacy", summary,
            private=bool(private), readers=principals)


def describe_principal(principal, cache=None):
    """A human name for a principal: a username, 'Developer (demo)', 'Everyone'.

    Pass a dict as ``cache`` to describe many entries with one query per principal.
    """
    if cache is not None:
        if principal not in cache:
            cache[principal] = describe_principal(principal)
        return cache[principal]
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
