"""Creating, finding and revoking API tokens."""
import hashlib
import secrets
import time

from ..model import session
from ..names import single_line
from ..model.token import ApiToken
from . import ActionError

TOKEN_PREFIX = "pf_"
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


def user_id_for(token):
    """The id of the token's user, or None."""
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    record = ApiToken.query.get(token_hash=token_hash(token))
    return record.user_id if record is not None else None
