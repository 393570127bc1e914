"""Feed tokens: ``{user id}.{HMAC-SHA256(forge.secret, user id + key)}``.

The key is ``FeedKey.key`` (``"0"`` until the user first regenerates it, so
showing a token writes nothing); ``regenerate_feed_token`` stores a fresh
random key, and every URL signed with the old one stops working at once.
"""
import hashlib
import hmac
import secrets
import time

from ming.odm import FieldProperty, MappedClass

from ..actions import ActionError
from ..model import User
from ..model.session import new_id, session

DEFAULT_KEY = "0"


class FeedKey(MappedClass):
    class __mongometa__:
        session = session
        name = "feed_key"
        unique_indexes = [("user_id",)]

    _id = FieldProperty(str, if_missing=new_id)
    user_id = FieldProperty(str)
    key = FieldProperty(str)
    created = FieldProperty(float)


def _key_of(user_id):
    record = FeedKey.query.get(user_id=user_id)
    return record.key if record is not None else DEFAULT_KEY


def _sign(registry, user_id, key):
    message = ("feed:%s:%s" % (user_id, key)).encode()
    secret = registry.settings["forge.secret"].encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:40]


def feed_token_of(registry, user):
    return "%s.%s" % (user._id, _sign(registry, user._id, _key_of(user._id)))


def user_for_token(registry, token):
    """The enabled user whose current token this is, or None."""
    user_id, _, signature = (token or "").partition(".")
    if not user_id or len(token) > 200 or not signature:
        return None
    expected = _sign(registry, user_id, _key_of(user_id))
    if not hmac.compare_digest(expected, signature):
        return None
    user = User.query.get(_id=user_id)
    return None if user is None or user.disabled else user


def regenerate_feed_token(registry, user):
    """A new key for ``user``: old feed URLs stop working.  Returns the token."""
    if user is None:
        raise ActionError("Sign in to manage your feed token.")
    record = FeedKey.query.get(user_id=user._id)
    if record is None:
        record = FeedKey(user_id=user._id)
    record.key = secrets.token_hex(16)
    record.created = time.time()
    session.flush(record)
    return feed_token_of(registry, user)
