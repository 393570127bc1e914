"""The permissions page every node has (``@@permissions``, permission ``admin``).

It first answers "who may do what here": a matrix of the project's roles
(and Everyone, signed-in users) by the node's permissions, each permission
explained in words (``forge.permission_help``).  Then, as an advanced
section, the *effective* ACL in the order Pyramid's ``ACLHelper`` evaluates
it: this node's own entries first, then those of each ancestor up to the site
root, each row saying where it comes from.  Forms add and remove local
entries, switch a node below a project between public and private, and
explain why a given user may or may not do something here.  Every change
goes through ``forge.actions.acl``.
"""
from dataclasses import dataclass

from pyramid.authorization import ALL_PERMISSIONS, Allow
from pyramid.view import view_config, view_defaults

from ..actions import ActionError
from ..actions.acl import add_entry, describe_principal, remove_entry, set_privacy
from ..actions.roles import roles_of, roles_project
from ..interfaces import IArtifact, INode
from ..model import User
from ..model.acl import AUTHENTICATED, EVERYONE, ace
from ..permission_help import permission_help
from ..redirects import redirect
from ..security import SITE_ADMIN, permits, user_principals
from .params import parse_int


@dataclass
class AclRow:
    """One entry of the effective ACL; ``source`` is None for local entries."""

    access: str
    principal: str
    label: str
    permission: str
    source: object = None
    index: int = None


@dataclass
class Verdict:
    """The answer of the "check access" form."""

    allowed: bool
    reason: str
    source: object = None


def effective_acl(request, node):
    """Rows of the ACLs along the lineage, nearest node first (evaluation order)."""
    names = {}
    rows = []
    for holder in reversed(request.lineage(node)):
        for index, entry in enumerate(holder.doc.acl or ()):
            rows.append(AclRow(
                access=entry["access"], principal=entry["principal"],
                label=describe_principal(entry["principal"], names),
                permission=entry["permission"],
                source=None if holder is node else holder,
                index=index if holder is node else None))
    return rows


def principal_choices(node):
    """(value, label) pairs for the principal select: the roles of the node's
    project (if any), Everyone and signed-in users."""
    choices = []
    project = node.project
    if project is not None:
        for role in roles_of(roles_project(project.doc)):
            choices.append((role.principal, describe_principal(role.principal)))
    choices.append((EVERYONE, "Everyone"))
    choices.append((AUTHENTICATED, "Signed-in users"))
    return choices


@dataclass
class MatrixRow:
    """A role (or Everyone, or signed-in users) and what it may do here."""

    label: str
    allowed: list


def role_matrix(node, permissions):
    """What someone holding only each role may do on ``node``, computed by the
    policy's own ``permits`` over the whole lineage (inherited entries, denies
    and the read rule included): the page's roles-first summary."""
    who = [("Everyone (not signed in)", [EVERYONE]),
           ("Signed-in users", [EVERYONE, AUTHENTICATED])]
    project = node.project
    if project is not None:
        for role in roles_of(roles_project(project.doc)):
            principals = [EVERYONE, AUTHENTICATED, role.principal]
            principals += ["role:%s" % implied for implied in role.implied_ids or ()]
            who.append((describe_principal(role.principal), principals))
    return [MatrixRow(label, [bool(permits(node, principals, permission))
                              for permission in permissions])
            for label, principals in who]


def explain_access(node, username, permission):
    """Whether ``username`` has ``permission`` on ``node``, said as a sentence
    naming the entry that decides and the node it is on."""
    user = User.by_username((username or "").strip().lower())
    if user is None:
        raise ActionError("There is no user %r." % (username or "")[:80])
    if permission not in node.permission_names():
        raise ActionError("Unknown permission %r here. Known: %s." % (
            (permission or "")[:60], ", ".join(node.permission_names())))
    name, what = user.username, _words(permission)
    if user.disabled:
        return Verdict(False, "%s may not %s here: their account is disabled." % (name, what))
    principals = user_principals(user)
    if SITE_ADMIN in principals:
        return Verdict(True, "%s may %s here: site admins may do everything." % (name, what))
    result = permits(node, principals, permission)
    entry = result.ace
    if not isinstance(entry, tuple):
        return Verdict(bool(result), "%s may not %s here: no entry allows %s to them or to "
                       "a role they hold, and what is not allowed is denied."
                       % (name, what, _words(_permission_name(result.permission))))
    access, principal, granted = entry
    who = describe_principal(principal)
    if principal.startswith("role:"):
        who = "the role " + who
    elif who in ("Everyone", "Signed-in users"):
        who = who.lower()
    granted = "everything" if granted is ALL_PERMISSIONS else _words(str(granted))
    reason = "%s may%s %s here: an entry on %s %s %s %s" % (
        name, "" if result else " not", what, _node_words(result.context, node),
        "allows" if access == Allow else "denies", who, granted)
    if not result and result.permission != permission:
        # the forge rule: every permission needs read on the node and its ancestors
        reason += ", and every permission also needs read here and above"
    return Verdict(bool(result), reason + ".", result.context)


def _words(permission):
    return permission.replace("_", " ")


def _node_words(holder, node):
    if holder is None or holder is node:
        return "this %s" % getattr(node, "kind", "node")
    return "the %s “%s”" % (getattr(holder, "kind", "node"), holder.title)


def _permission_name(permission):
    return "*" if permission is ALL_PERMISSIONS else str(permission)


@view_defaults(context=INode, name="permissions", permission="admin",
               renderer="forge:templates/node/permissions.jinja2")
class PermissionsView:
    def __init__(self, context, request):
        self.context = context
        self.request = request

    @view_config(request_method="GET")
    def show(self):
        """The page; with ``check_user`` and ``check_permission`` (the "check
        access" form submits by GET, it changes nothing) also the verdict."""
        params = self.request.GET
        if "check_user" not in params:
            return self.page()
        try:
            return self.page(check=explain_access(self.context, params.get("check_user", ""),
                                                  params.get("check_permission", "")))
        except ActionError as error:
            self.request.response.status_int = error.status
            return self.page(check_error=str(error))

    @view_config(request_method="POST")
    def change(self):
        request, context = self.request, self.context
        form = request.POST
        operations = {"add": self.add, "remove": self.remove, "privacy": self.privacy}
        try:
            operation = operations.get(form.get("op"))
            if operation is None:
                raise ActionError("Unknown change; reload the page and try again.")
            message = operation(form)
        except ActionError as error:
            request.response.status_int = error.status
            return self.page(error=str(error), form=form)
        request.session.flash(message)
        # back where the change was made: a fragment inside the closed advanced
        # section opens it (the HTML rule that reveals a target's <details>)
        anchor = "#privacy" if form.get("op") == "privacy" else "#effective"
        return redirect(request, request.forge_url(context, "@@permissions") + anchor)

    def add(self, form):
        username = form.get("username", "").strip()
        principal = username or form.get("principal", "")
        if not username and principal not in dict(principal_choices(self.context)):
            raise ActionError("Choose a role, Everyone or Signed-in users, or type a username.")
        add_entry(self.request.registry, self.context, form.get("access", ""), principal,
                  form.get("permission", ""), self.request.user)
        return "Added the entry."

    def remove(self, form):
        try:
            index = parse_int(form.get("index"), "entry number")
        except ValueError:
            raise ActionError("There is no such entry.")
        expected = None
        if "principal" in form:
            expected = {"access": form.get("access", ""), "principal": form["principal"],
                        "permission": form.get("permission", "")}
        remove_entry(self.request.registry, self.context, index, self.request.user,
                     expected=expected)
        return "Removed the entry."

    def privacy(self, form):
        private = form.get("private") == "1"
        readers = None
        if private and IArtifact.providedBy(self.context):
            readers = list(form.getall("reader"))
            readers += [n.strip() for n in form.get("reader_names", "").split(",")
                        if n.strip()]
            readers = readers or None
        set_privacy(self.request.registry, self.context, private, self.request.user,
                    readers=readers)
        return "It is now %s." % ("private" if private else "public")

    def page(self, error=None, form=None, check=None, check_error=None):
        context = self.context
        permissions = list(context.permission_names())
        return {
            "permissions": [(name, permission_help(context, name)) for name in permissions],
            "matrix": role_matrix(context, permissions),
            "rows": effective_acl(self.request, context),
            "principal_choices": principal_choices(context),
            "permission_choices": list(context.permission_names()) + ["*"],
            "can_be_private": context.project is not None,
            "pick_readers": IArtifact.providedBy(context),
            "error": error,
            "form": form or {},
            "check": check,
            "check_error": check_error,
            "check_user": self.request.GET.get("check_user", "")[:80],
            "check_permission": self.request.GET.get("check_permission", ""),
        }
