"""API tokens: a user's secrets for scripts (``Authorization: Bearer ...``).

Only a SHA-256 of the token is stored; the token itself is shown once.
"""
from ming.odm import FieldProperty, MappedClass

from .session import new_id, session


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
