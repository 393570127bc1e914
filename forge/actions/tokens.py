"""Creating, finding and revoking API tokens; telling whose a token is.

A token has a scope (``read``, ``write``, ``admin``: what ``forge.security``
lets it do), may be limited to one project's subtree and may expire.  Creation
and revocation go through the unit of work (an audit-log entry on the user).
"""
import datetime
import hashlib
import secrets
import time

from ..model import User
from ..model.cache import (EARLY_SITE_CONFIG, GenerationCache, early_cached_raw,
                           read_site_config)
from ..model.session import collection, session
from ..model.token import SCOPES, ApiToken
from ..names import single_line
from ..unit_of_work import change
from . import ActionError

TOKEN_PREFIX = "pf_"
INVALID = "The API token is not valid (revoked, or mistyped)."
MAX_TOKENS = 20
MAX_DAYS = 3650
DEFAULT_SCOPE = "write"
# the last-used time is written at most this often per token (one write a minute,
# not one per request)
LAST_USED_STEP = 60.0


def token_hash(token):
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def parse_scope(scope):
    scope = (scope or DEFAULT_SCOPE).strip().lower()
    if scope not in SCOPES:
        raise ActionError("The scope must be one of %s." % ", ".join(SCOPES))
    return scope


def parse_days(days):
    """Days until expiry from a form or the command line: None (never) for an
    empty value, else a whole number from 1 to ``MAX_DAYS``."""
    if days is None or str(days).strip() == "":
        return None
    try:
        days = int(str(days).strip())
    except ValueError:
        raise ActionError("Give the days until the token expires as a whole number.")
    if not 1 <= days <= MAX_DAYS:
        raise ActionError("A token expires after 1 to %d days (or never)." % MAX_DAYS)
    return days


def describe_limits(record, project=None):
    """``scope write, project demo/docs, expires 2026-12-31 ...``: for the audit log."""
    parts = ["scope %s" % record.scope]
    if project is not None:
        parts.append("project %s" % project.shortname)
    if record.expires:
        parts.append("expires %s" % _date(record.expires))
    return ", ".join(parts)


def create_token(user, name, scope=DEFAULT_SCOPE, project=None, expires_days=None,
                 actor=None, source="web", now=None):
    """Return ``(ApiToken, token)``; the token text exists only in this answer.

    ``project`` is the ``Project`` document the token is limited to (the caller
    checked the user may read it); ``expires_days`` None never expires."""
    name = (name or "").strip()
    if not name or len(name) > 80 or not single_line(name):
        raise ActionError("Name the token (1-80 characters), e.g. after the script using it.")
    scope = parse_scope(scope)
    days = parse_days(expires_days)
    now = time.time() if now is None else now
    if len(tokens_of(user, now)) >= MAX_TOKENS:
        raise ActionError("You have %d tokens already; revoke one first." % MAX_TOKENS)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with change(None, None, node=user, actor=actor or user, source=source,
                new={"name": name, "scope": scope}) as ch:
        record = ApiToken(user_id=user._id, name=name, token_hash=token_hash(token),
                          prefix=token[:8], created=now, scope=scope,
                          project_id=project._id if project is not None else None,
                          expires=now + days * 86400 if days else None)
        ch.log("user.token.create", "created the API token %s (%s)"
               % (name, describe_limits(record, project)), token_id=record._id)
    return record, token


def tokens_of(user, now=None):
    """The user's usable tokens, newest first (revoked and expired ones are not
    listed: they can do nothing and need no revoking)."""
    now = time.time() if now is None else now
    records = ApiToken.query.find({"user_id": user._id, "revoked": None}) \
        .sort("created", -1).all()
    return [record for record in records if record.is_active(now)]


def revoke_token(user, token_id, actor=None, source="web"):
    record = ApiToken.query.get(_id=token_id, user_id=user._id) \
        if isinstance(token_id, str) else None
    if record is None or record.revoked is not None:
        raise ActionError("There is no such token (it may be revoked already).")
    with change(None, None, node=user, actor=actor or user, source=source, new={}) as ch:
        record.revoked = time.time()
        ch.log("user.token.revoke", "revoked the API token %s" % record.name,
               token_id=record._id)
    return record


class TokenRefused(Exception):
    """A bearer token that identifies nobody; the message says why (a 401)."""


class TokenUser(str):
    """The id of a token's user, carrying what the token may do: the forge
    tween keeps it as the request's identity (``forge.security.TOKEN_USER``)
    and the security policy reads the limits from it, so a token request costs
    no second look-up."""

    scope = "admin"
    project_id = None
    # the token's record as checked (``forge.rest.answer_cache`` checks the
    # expiry again on every answer it serves, and keeps the last-used time)
    token_id = None
    expires = None
    last_used = None

    @classmethod
    def of(cls, record):
        """From the stored document (a dict)."""
        user_id = cls(record["user_id"])
        user_id.scope = record.get("scope") or "admin"
        user_id.project_id = record.get("project_id")
        user_id.token_id = record["_id"]
        user_id.expires = record.get("expires")
        user_id.last_used = record.get("last_used")
        return user_id


def user_id_for(token, now=None, request=None):
    """The id (a ``TokenUser``) of the token's user; raises ``TokenRefused``
    for an unknown, revoked or expired token or one whose user is disabled
    (never anonymous instead: a script should learn at once, and why, that its
    token stopped working).  With the ``request`` (the forge tween's), the
    user's state comes from the tree cache (``token_owner``)."""
    return _checked_token(token, now, request)[0]


def token_owner(request, user_id):
    """The stored user a token names, or None.  With a request, from the tree
    cache at the generation the request reads first (``early_cached_raw``: the
    root then reads nothing more), so a token costs at most one find, the
    token's own (none over HTTP Basic while ``token_record`` keeps it);
    disabling a user writes a tree document, which moves the generation, so
    their tokens stop at once.  Without one (a script), from the database."""
    if request is not None:
        users = early_cached_raw(request, User, {"_id": user_id})
        return users[0] if users else None
    return collection(User, bump=False).find_one({"_id": user_id},
                                                 {"disabled": 1, "username": 1})


def _checked_token(token, now=None, request=None, keep=False):
    """``(TokenUser, user name)`` of a usable token: the token's find, then its
    user's name and state (``token_owner``); raises ``TokenRefused`` as
    ``user_id_for`` says.  ``keep``: the record may come from ``token_record``'s
    per-process store (HTTP Basic: git's requests)."""
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        raise TokenRefused(INVALID)
    now = time.time() if now is None else now
    record = token_record(request if keep else None, token_hash(token))
    if record is None:
        raise TokenRefused(INVALID)
    if record.get("revoked") is not None:
        raise TokenRefused("This API token was revoked on %s." % _date(record["revoked"]))
    expires = record.get("expires")
    if expires is not None and expires <= now:
        raise TokenRefused("This API token expired on %s; make a new one on your "
                           "account page." % _date(expires))
    # the name too: HTTP Basic compares it with the one sent
    user = token_owner(request, record["user_id"])
    if user is None:
        raise TokenRefused(INVALID)
    if user.get("disabled"):
        raise TokenRefused("The account this API token belongs to is disabled.")
    if last_use_due(record.get("last_used"), now):
        note_token_used(record["_id"], now)
        # the kept record too (token_record), or each request would write again
        record["last_used"] = now
    user_id = TokenUser.of(record)
    return user_id, user.get("username", "")


def token_record(request, digest):
    """The stored token whose hash is ``digest``, or None.  With the forge
    tween's request, kept per process for the content generation the request
    reads first (read now, in the one query the root would make: see
    ``forge.model.cache.early_cached_raw``): every write of a token (creating,
    revoking, an import) bumps that generation, so a kept record is never
    older than the generation it is kept for, and a token request costs no
    find of its own.  Only the last-used time is written without a bump: the
    kept record is updated by the request that writes it (``note_token_used``).

    Only HTTP Basic (git, whose every request of a fetch or push carries the
    token) uses the store; a Bearer request to the REST API skips the find on
    the REST answer cache's hits instead (and its tests move ``expires`` with
    a write that bumps nothing, which a kept record would not see)."""
    tokens = collection(ApiToken, bump=False)
    if request is None or getattr(request.registry, "forge_tree_cache", None) is None:
        return tokens.find_one({"token_hash": digest})
    read = request.environ.get(EARLY_SITE_CONFIG)
    if read is None:
        read = request.environ[EARLY_SITE_CONFIG] = read_site_config(session.db)
    kept = request.registry.__dict__.get("forge_token_records")
    if kept is None:
        kept = request.registry.__dict__.setdefault("forge_token_records", GenerationCache())
    return kept.get(read[1][1], digest, lambda: tokens.find_one({"token_hash": digest}))


def last_use_due(last_used, now):
    """Whether the last-used time should be written now (once a minute at most)."""
    return last_used is None or last_used < now - LAST_USED_STEP


def note_token_used(token_id, now):
    """Write the token's last-used time, unless another request did in the last
    minute (conditional: of many concurrent requests, one writes).  It moves
    no generation: only the account page shows it, and that page is never kept."""
    collection(ApiToken, bump=False).update_one({"_id": token_id, "$or": [
        {"last_used": None}, {"last_used": {"$lt": now - LAST_USED_STEP}}]},
        {"$set": {"last_used": now}})


def user_id_for_basic(registry, username, password, address, request=None):
    """The user id for HTTP Basic credentials (what ``git`` sends): the user
    name with an API token, or with the password (through the sign-in
    throttles).  Raises ``TokenRefused`` for bad ones, ``Throttled`` when a
    counter refuses the attempt."""
    from .sign_in import normalised_name, sign_in
    if password.startswith(TOKEN_PREFIX):
        # git's: every request of a fetch or push carries it (token_record)
        user_id, owner = _checked_token(password, request=request, keep=True)
        # a token sent with another user's name: refused, never the token's user instead
        if owner.lower() != normalised_name(username):
            raise TokenRefused("The API token does not belong to the user %r." % username)
        return user_id
    user = sign_in(registry, username, password, address)
    if user is None:
        raise TokenRefused("Wrong user name or password (or API token).")
    # a password alone is not a whole sign-in for these accounts
    if user.totp_secret or (user.site_admin and registry.settings.get(
            "forge.auth.require_2fa_for_site_admins")):
        raise TokenRefused("This account signs in with two factors: send an API token "
                           "as the password.")
    if user.must_reset_password:
        raise TokenRefused("This account must choose a new password: sign in on the web.")
    return user._id


def _date(epoch):
    return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc) \
        .strftime("%Y-%m-%d %H:%M UTC")
