"""Who the request is, what principals it carries, and the ACL policy.

Principals: ``system.Everyone``; when signed in ``system.Authenticated`` and
``user:ID``; ``role:ID`` for every project role the user holds and every role
those contain.  Site admins are permitted everything.

Two rules on top of Pyramid's ``ACLHelper`` (which composes the ACLs of the
whole lineage, nearest node first):

* reading a node needs ``read`` on it *and on every ancestor*: you cannot reach
  a child through a parent you may not enter, so a private project keeps
  everything inside it private whatever the children's own ACLs say, and a
  DENY of ``read`` on a project shuts the user out of its whole subtree;
* every other permission also needs that ``read``, so a private node (one
  whose ACL ends by denying ``read`` to everyone) is closed to anything
  inherited from above.

A node the user may not read is answered like a missing one (see
``forge.views.errors``).

Identity comes from the session (``forge.sessions``: the cookie carries a
random id, the data is stored server-side so that it can be ended), or from an
API token sent as ``Authorization: Bearer pf_...``, or HTTP Basic with the user
name and a token or the password (what ``git`` sends), both checked by the forge
tween, which answers 401 for bad ones or a disabled user's.  CSRF tokens are
required of every unsafe request that carries the session cookie; a token-only
request has no ambient credential to forge (``forge.scope.forge_csrf_view``).

**Token scopes.**  A request authenticated by an API token can do at most what
the token allows, whatever its user could: a ``read`` token only the
permissions in ``READ_PERMISSIONS``, a ``write`` token everything but those in
``ADMIN_PERMISSIONS``, an ``admin`` token all its user may; a token limited to
a project nothing outside that project's subtree (not even reading the front
page).  The limits travel as marker principals at the end of the request's
principals (``token-scope:read``, ``token-project:ID``), so every check that
takes principals (``can``, ``permits``, lists filtered node by node) applies
them; site admins are limited too.  No ACL names these principals.
"""
import base64

from pyramid.authorization import ACLAllowed, ACLDenied, ACLHelper, Authenticated, Everyone
from pyramid.csrf import SessionCSRFStoragePolicy, new_csrf_token
from pyramid.interfaces import ISecurityPolicy
from zope.interface import implementer

from .model import ProjectRole, User
from .model.cache import cached_raw, cached_value, tree_generation
from .sessions import USER_KEY, SessionFactory

TOKEN_USER = "forge.token_user_id"       # environ key set by the forge tween
BASIC_AUTH = "forge.basic_auth"          # ... when the identity came from HTTP Basic
SITE_ADMIN = "site:admin"

READ_PERMISSIONS = frozenset({"read"})
ADMIN_PERMISSIONS = frozenset({"admin", "configure"})
TOKEN_SCOPE = "token-scope:"
TOKEN_PROJECT = "token-project:"
TOKEN_MARK = "token-"


def token_markers(user_id):
    """The marker principals of a token's limits (none for a session, a
    password, or an ``admin`` token without a project)."""
    markers = []
    scope = getattr(user_id, "scope", "admin")
    if scope != "admin":
        markers.append(TOKEN_SCOPE + scope)
    project_id = getattr(user_id, "project_id", None)
    if project_id:
        markers.append(TOKEN_PROJECT + project_id)
    return markers


def token_limits(principals):
    """``(scope, project_id)`` from the markers at the end of ``principals``:
    ``("admin", None)`` when there are none."""
    scope, project_id = "admin", None
    for principal in reversed(principals):
        if not principal.startswith(TOKEN_MARK):
            break
        if principal.startswith(TOKEN_SCOPE):
            scope = principal[len(TOKEN_SCOPE):]
        elif principal.startswith(TOKEN_PROJECT):
            project_id = principal[len(TOKEN_PROJECT):]
    return scope, project_id


def scope_allows(context, principals, permission):
    """False when a token's limits forbid ``permission`` on ``context``."""
    if not principals or not principals[-1].startswith(TOKEN_MARK):
        return True
    scope, project_id = token_limits(principals)
    if scope == "read" and permission not in READ_PERMISSIONS:
        return False
    if scope not in ("read", "write", "admin"):
        return False        # a marker this code does not know: nothing
    if scope == "write" and permission in ADMIN_PERMISSIONS:
        return False
    return project_id is None or in_project(context, project_id)


def in_project(node, project_id):
    """Whether ``node`` is the project ``project_id`` or inside its subtree."""
    while node is not None:
        if getattr(node, "kind", None) == "project" and node.doc._id == project_id:
            return True
        node = getattr(node, "__parent__", None)
    return False


def user_principals(user, stored_roles=None):
    """All principals of a signed-in user (one query for their roles, unless
    the caller read them: ``stored_roles``, the stored documents of
    ``ProjectRole.held_by``'s query)."""
    principals = [Everyone, Authenticated, "user:%s" % user._id]
    if stored_roles is None:
        held = [(r._id, r.implied_ids) for r in ProjectRole.held_by(user._id)]
    else:
        held = [(r["_id"], r.get("implied_ids")) for r in stored_roles]
    roles = set()
    for role_id, implied_ids in held:
        roles.add(role_id)
        roles.update(implied_ids or ())
    principals.extend("role:%s" % r for r in sorted(roles, key=str))
    if user.site_admin:
        principals.append(SITE_ADMIN)
    return principals


@implementer(ISecurityPolicy)
class ForgeSecurityPolicy:
    def __init__(self):
        self.acl = ACLHelper()

    def identity(self, request):
        """The signed-in ``User`` document, or None."""
        user_id = request.environ.get(TOKEN_USER)
        from_session = user_id is None
        if from_session:
            if not has_session_cookie(request):
                return None  # don't parse (or create) a session for anonymous readers
            user_id = request.session.get(USER_KEY)
        if not user_id:
            return None
        # Pyramid asks the policy on every ``request.identity``; the answer is
        # kept for the request while the user and the tree generation are the
        # same (a request that wrote a tree document looks again)
        generation = tree_generation(request)
        memo = request.__dict__.get("forge_identity")
        if memo is not None and generation is not None and memo[0] == (str(user_id), generation):
            return memo[1]
        users = cached_raw(request, User, {"_id": str(user_id)})
        if not users or users[0].get("disabled"):
            if from_session:
                # disabled (or removed) behind the actions' back: end it for good
                request.session.invalidate()
            return None
        from .user_lookup import reader_document
        user = reader_document(request, users[0], generation)
        request.__dict__["forge_identity"] = ((str(user_id), generation), user)
        return user

    def authenticated_userid(self, request):
        user = request.identity
        return str(user._id) if user is not None else None

    def principals(self, request):
        cache = request.__dict__
        if "forge_principals" not in cache:
            user = request.identity
            principals = cached_value(
                request, ("principals", user._id),
                lambda: user_principals(user)) if user else [Everyone]
            markers = token_markers(request.environ.get(TOKEN_USER)) if user else ()
            cache["forge_principals"] = principals + markers if markers else principals
        return cache["forge_principals"]

    def permits(self, request, context, permission):
        principals = self.principals(request)
        if not scope_allows(context, principals, permission):
            return ACLDenied("token scope", None, permission, principals, context)
        if SITE_ADMIN in principals:
            return ACLAllowed("site admin", SITE_ADMIN, permission, principals, context)
        return permits(context, principals, permission, self.acl)

    def remember(self, request, userid, **kw):
        # a new session id (no fixation), and nothing from before sign-in
        # carries over, the CSRF token included
        request.session.invalidate()
        request.session[USER_KEY] = str(userid)
        new_csrf_token(request)
        return []

    def forget(self, request, **kw):
        request.session.invalidate()
        return []


def readable(node, principals, helper=ACLHelper()):
    """``read`` on the node and on each of its ancestors (memoised on the nodes,
    which live for one request, and kept across requests by ``kept_verdict``)."""
    key = tuple(principals)
    memo = node.__dict__.setdefault("_forge_readable", {}) if hasattr(node, "__dict__") else {}
    if key not in memo:
        def walk():
            parent = node.__parent__
            result = readable(parent, key, helper) if parent is not None else None
            if result is None or result:
                result = helper.permits(node, key, "read")
            return result
        memo[key] = kept_verdict(node, key, READABLE, walk)
    return memo[key]


READABLE = "(read along the lineage)"
SAFE_METHODS = frozenset(("GET", "HEAD"))


def kept_verdict(node, principals, permission, compute):
    """``compute()`` (an ``ACLAllowed`` / ``ACLDenied`` about ``node``), kept in
    the generation store (``forge.fragments``) under the node's lineage (class,
    name and stored id of each node up to the root) and the principals.

    ACLs are stored data of tree documents and artifacts, so the generations
    cover them; a GET never changes one in memory, and a request that wrote
    computes every time, so an ACL changed but not yet saved (the lock-out
    check of ``forge.actions.acl``) is never answered from the store.  The
    verdict is kept without the nodes it names and made again about this
    request's nodes: the same ACE, ACL and the ancestor where the ACE was."""
    request = _request_of(node)
    key = lineage_key(node) if request is not None else None
    if key is None:
        return compute()

    def load():
        result = compute()
        return type(result), result.ace, result.acl, result.permission, \
            _distance(node, result.context)
    kind, ace, acl, allowed, distance = kept_for_reading(
        request, ("acl-verdict", key, principals, permission), load)
    if distance is None:
        return compute()        # a verdict about a node off the lineage: not kept
    context = node
    for _ in range(distance):
        context = context.__parent__
    return kind(ace, acl, allowed, principals, context)


def kept_for_reading(request, key, load):
    """``forge.fragments.generation_cached`` for a GET or HEAD (which change
    nothing, in memory or stored); any other request computes every time."""
    if getattr(request, "method", None) not in SAFE_METHODS:
        return load()
    from .fragments import generation_cached
    return generation_cached(request, key, load)


def _distance(node, context):
    steps = 0
    while node is not None:
        if node is context:
            return steps
        node, steps = node.__parent__, steps + 1
    return None


def _request_of(node):
    """The request of the forge root at the top of ``node``'s lineage, or None."""
    while node is not None:
        parent = getattr(node, "__parent__", None)
        if parent is None:
            return node.__dict__.get("_request") if hasattr(node, "__dict__") else None
        node = parent
    return None


def lineage_key(node):
    """What names ``node`` and its ancestors within one generation: class,
    traversal name and stored id of each (a deleted artifact and a live one
    may share a path), memoised on the nodes.  None unless every node of the
    lineage is a tree node (``forge.resources.Node``) with a stored document
    under the site root: only their ACLs are stored data that the generations
    cover (an activity entry, say, borrows its node's ACL and has no id)."""
    from .resources.base import Node
    if not isinstance(node, Node):
        return None
    memo = node.__dict__
    if "_forge_lineage_key" not in memo:
        parent = node.__parent__
        if parent is None:
            key = (None, type(node).__name__) if getattr(node, "kind", None) == "site" \
                else None
        else:
            above, stored_id = lineage_key(parent), _stored_id(node)
            key = (above, type(node).__name__, node.__name__, stored_id) \
                if above is not None and stored_id is not None else None
        memo["_forge_lineage_key"] = key
    return memo["_forge_lineage_key"]


def _stored_id(node):
    """The id of the document a node wraps: a Ming object, or a stored one
    not built into it yet (``RawArtifact``, ``StoredTool``, ``StoredDocument``:
    their ``raw``)."""
    doc = node.__dict__.get("_doc")
    if doc is None:
        doc = node.__dict__.get("doc")
    raw = doc.raw if type(doc).__name__ in ("RawArtifact", "StoredTool", "StoredDocument") \
        else None
    return raw.get("_id") if raw is not None else getattr(doc, "_id", None)


def forget_readable(node):
    """Drop the memo after the node's ACL changed within a request."""
    node.__dict__.pop("_forge_readable", None)


def permits(context, principals, permission, helper=ACLHelper()):
    """The forge rule: ``read`` along the lineage, then ``permission`` on the
    node (within a token's limits)."""
    if not scope_allows(context, principals, permission):
        return ACLDenied("token scope", None, permission, principals, context)
    result = readable(context, principals, helper)
    if not result or permission == "read":
        return result
    key = tuple(principals)
    return kept_verdict(context, key, permission,
                        lambda: helper.permits(context, key, permission))


def can(context, principals, permission):
    """Boolean form for lists: may these principals do this here?"""
    if not scope_allows(context, principals, permission):
        return False
    if SITE_ADMIN in principals:
        return True
    return bool(permits(context, principals, permission))


def session_cookie_name(registry):
    return registry.settings["forge.session.cookie_name"]


def has_session_cookie(request):
    """Whether the request may belong to a session (signed in or holding a
    form's token): such requests are never served from the page cache."""
    return session_cookie_name(request.registry) in request.cookies


def needs_csrf_check(request):
    """Cookie-authenticated (or anonymous) requests; not token-only ones.  HTTP
    Basic credentials are ambient like a cookie (a browser that was asked for
    them sends them again by itself), so they are checked too; git's own
    requests are views that opt out (``require_csrf=False``)."""
    return (TOKEN_USER not in request.environ or has_session_cookie(request)
            or BASIC_AUTH in request.environ)


def authenticated_by_token(request):
    """True when the request's identity comes from an API token: such a
    request may use the account but not change its credentials."""
    return TOKEN_USER in request.environ


def bearer_token(request):
    authorization = request.headers.get("Authorization", "")
    scheme, _, token = authorization.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def basic_credentials(request):
    """``(user name, password)`` of an ``Authorization: Basic`` header, else None
    (a malformed one is ``("", "")``: refused like a wrong password)."""
    authorization = request.headers.get("Authorization", "")
    scheme, _, encoded = authorization.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        username, _, password = base64.b64decode(encoded.strip(), validate=True) \
            .decode("utf-8").partition(":")
    except (ValueError, UnicodeDecodeError):
        return "", ""
    return username, password


def includeme(config):
    registry = config.registry
    # kept on the registry: a host composes its own with them (forge.host_policies)
    registry.forge_session_factory = SessionFactory(registry.settings)
    registry.forge_security_policy = ForgeSecurityPolicy()
    config.set_session_factory(registry.forge_session_factory)
    config.add_request_method(has_session_cookie, "has_session_cookie", reify=True)
    config.set_csrf_storage_policy(SessionCSRFStoragePolicy())
    # the CSRF rule is the view deriver of forge.scope, not Pyramid's default
    # options: those would govern a host's own views too
    config.set_security_policy(registry.forge_security_policy)
    config.include("forge.host_policies")
