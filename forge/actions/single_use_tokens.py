"""Single-use tokens mailed in links (e-mail verification, password reset).

A token reads ``{user_id}.{random}``: the user id finds the account with one
read by ``_id``, the random part is the secret.  Only the token's SHA-256 is
stored, with an expiry, on the user's document; using or replacing the token
clears it.  Each feature keeps its own fields and messages and asks here how
to make, read and compare a token, so the rules cannot drift apart.
"""
import hashlib
import hmac
import secrets
import time

MAX_TOKEN = 200
SECRET_BYTES = 32


def token_hash(token):
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue(user_id, seconds, now=None):
    """A new token for the user: ``(token, its hash, expiry in epoch seconds)``.
    The caller stores the hash and expiry and mails the token."""
    token = "%s.%s" % (user_id, secrets.token_urlsafe(SECRET_BYTES))
    return token, token_hash(token), (now or time.time()) + seconds


def owner_id(token):
    """The user id a token names, or None when it cannot be a token at all."""
    token = (token or "").strip()
    user_id, _, secret = token.partition(".")
    if not user_id or not secret or len(token) > MAX_TOKEN:
        return None
    return user_id


def matches(token, stored_hash):
    """Whether ``token`` is the one whose hash was stored (constant time)."""
    return bool(stored_hash) and hmac.compare_digest(stored_hash,
                                                     token_hash((token or "").strip()))
