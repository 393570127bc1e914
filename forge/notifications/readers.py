"""Users and their principals as reactors and the mail-in server read them:
through the per-process tree cache (``forge.model.cache``).

Users and roles are tree documents, so a cached ``User`` or principal list is
exact for the tree generation the request read (every write of a user or a
role moves it); a unit of work that wrote the tree reads the database.  The
principals are kept under the key the security policy uses for a signed-in
reader, so a web request and a reactor share one value.
"""
from ..model import User
from ..model.cache import cached_find, cached_raw, cached_value
from ..security import user_principals


def cached_user(request, user_id):
    """The ``User`` with this id (None when there is none)."""
    users = cached_find(request, User, {"_id": user_id}) if user_id else []
    return users[0] if users else None


class StoredUser:
    """A user's stored document read through attributes, without building a
    Ming object (the notify reactor reads a few fields of every watcher of
    every change).  Read-only; fields not stored read as ``User``'s defaults."""

    __slots__ = ("_raw",)
    DEFAULTS = {"email": None, "display_name": "", "site_admin": False, "disabled": False}

    def __init__(self, raw):
        object.__setattr__(self, "_raw", raw)

    def __getattr__(self, name):
        raw = object.__getattribute__(self, "_raw")
        if name in raw:
            return raw[name]
        if name in StoredUser.DEFAULTS:
            return StoredUser.DEFAULTS[name]
        raise AttributeError(name)

    def __setattr__(self, name, value):
        raise AttributeError("a StoredUser is read-only")


def stored_user(request, user_id):
    """The user with this id as a ``StoredUser`` (None when there is none),
    through the tree cache."""
    users = cached_raw(request, User, {"_id": user_id}) if user_id else []
    return StoredUser(users[0]) if users else None


def cached_principals(request, user):
    """``forge.security.user_principals(user)`` for the request's tree generation."""
    return cached_value(request, ("principals", user._id), lambda: user_principals(user))
