"""Creating, finding and revoking API tokens."""
import hashlib
import secrets
import time

from ..model import User, session
from ..model.session import collection
from ..names import single_line
from ..model.token import ApiToken
from . import ActionError

TOKEN_PREFIX = "pf_"
INVALID = "The API token is not valid (revoked, or mistyped)."
MAX_TOKENS = 20


def token_hash(token):
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(user, name):
    """Return ``(ApiToken, token)``; the token text exists only in this answer."""
    name = (name or "").strip()
    if not name or len(name) > 80 or not single_line(name):
        raise ActionError("Name the token (1-80 characters), e.g. after the script using it.")
    if ApiToken.query.find({"user_id": user._id}).count() >= MAX_TOKENS:
        raise ActionError("You have %d tokens already; revoke one first." % MAX_TOKENS)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    record = ApiToken(user_id=user._id, name=name, token_hash=token_hash(token),
                      prefix=token[:8], created=time.time())
    session.flush(record)
    return record, token


def tokens_of(user):
    return ApiToken.query.find({"user_id": user._id}).sort("created", -1).all()


def revoke_token(user, token_id):
    record = ApiToken.query.get(_id=token_id, user_id=user._id)
    if record is None:
        raise ActionError("There is no such token (it may be revoked already).")
    record.delete()
    session.flush()
    return record


class TokenRefused(Exception):
    """A bearer token that identifies nobody; the message says why (a 401)."""


def user_id_for(token):
    """The id of the token's user; raises ``TokenRefused`` for an unknown
    token or one whose user is disabled (never anonymous instead: a script
    should learn at once that its token stopped working)."""
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        raise TokenRefused(INVALID)
    record = ApiToken.query.get(token_hash=token_hash(token))
    if record is None:
        raise TokenRefused(INVALID)
    # straight from the database: the request has no tree generation yet
    user = collection(User, bump=False).find_one({"_id": record.user_id}, {"disabled": 1})
    if user is None:
        raise TokenRefused(INVALID)
    if user.get("disabled"):
        raise TokenRefused("The account this API token belongs to is disabled.")
    return record.user_id


def user_id_for_basic(registry, username, password, address):
    """The user id for HTTP Basic credentials (what ``git`` sends): the user
    name with an API token, or with the password (through the sign-in
    throttles).  Raises ``TokenRefused`` for bad ones, ``Throttled`` when a
    counter refuses the attempt."""
    from .sign_in import normalised_name, sign_in
    if password.startswith(TOKEN_PREFIX):
        user_id = user_id_for(password)
        owner = collection(User, bump=False).find_one({"_id": user_id}, {"username": 1})
        # a token sent with another user's name: refused, never the token's user instead
        if owner is None or owner.get("username", "").lower() != normalised_name(username):
            raise TokenRefused("The API token does not belong to the user %r." % username)
        return user_id
    user = sign_in(registry, username, password, address)
    if user is None:
        raise TokenRefused("Wrong user name or password (or API token).")
    return user._id
