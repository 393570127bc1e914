"""Signed one-click unsubscribe tokens (HMAC-SHA256 with ``forge.secret``).

A token names a user and what to stop: one watch (``w:{node_id}``) or all
mail (``all``: the preference becomes "none", used by digests).  It needs no
sign-in, so it is the only authority of the unsubscribe page; it carries no
expiry (an old mail's link keeps working, as RFC 8058 expects).
"""
import base64
import functools
import hashlib
import hmac

SALT = b"forge.notifications.unsubscribe:"


def _sign(secret, payload):
    mac = hmac.new(SALT + secret.encode("utf-8"), payload.encode("utf-8"), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()[:20]).decode("ascii").rstrip("=")


@functools.lru_cache(maxsize=8192)
def make_token(secret, user_id, target):
    """``target`` is ``w:{node_id}`` or ``all``.  The same token for every mail
    to a watcher of one node: signed once per process and (user, target)."""
    payload = "%s.%s" % (user_id, target)
    encoded = base64.urlsafe_b64encode(payload.encode("utf-8")).decode("ascii").rstrip("=")
    return "%s.%s" % (encoded, _sign(secret, payload))


def read_token(secret, token):
    """(user_id, target), or None for a token that is malformed or not ours."""
    try:
        encoded, signature = (token or "").rsplit(".", 1)
        payload = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None
    if not hmac.compare_digest(signature, _sign(secret, payload)):
        return None
    user_id, _, target = payload.partition(".")
    if not user_id or not (target == "all" or target.startswith("w:")):
        return None
    return user_id, target
