"""API tokens: a user's secrets for scripts (``Authorization: Bearer ...``, or
the password of HTTP Basic for ``git``).

Only a SHA-256 of the token is stored; the token itself is shown once.  A
token carries a scope (``read``, ``write`` or ``admin``), may be limited to one
project's subtree, may expire, and remembers when it was last used.  A revoked
token is kept (marked ``revoked``) so that a script sending it learns it was
revoked rather than mistyped.
"""
from ming.odm import FieldProperty, MappedClass

from .session import new_id, session

SCOPES = ("read", "write", "admin")


class ApiToken(MappedClass):
    class __mongometa__:
        session = session
        name = "api_token"
        unique_indexes = [("token_hash",)]
        indexes = [("user_id",)]

    _id = FieldProperty(str, if_missing=new_id)
    user_id = FieldProperty(str)
    name = FieldProperty(str)
    token_hash = FieldProperty(str)
    prefix = FieldProperty(str)          # the first characters, to tell tokens apart
    created = FieldProperty(float)       # epoch seconds
    # tokens made before scopes existed acted as their user in full: they keep that
    scope = FieldProperty(str, if_missing="admin")
    project_id = FieldProperty(str, if_missing=None)    # limited to this project's subtree
    expires = FieldProperty(float, if_missing=None)     # epoch seconds; None: never
    last_used = FieldProperty(float, if_missing=None)   # epoch seconds, to the minute
    revoked = FieldProperty(float, if_missing=None)     # epoch seconds; None: active

    def is_active(self, now):
        return self.revoked is None and (self.expires is None or self.expires > now)
