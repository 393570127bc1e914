"""Users and their principals as reactors and the mail-in server read them:
through the per-process tree cache (``forge.model.cache``).

Users and roles are tree documents, so a cached ``User`` or principal list is
exact for the tree generation the request read (every write of a user or a
role moves it); a unit of work that wrote the tree reads the database.  The
principals are kept under the key the security policy uses for a signed-in
reader, so a web request and a reactor share one value.
"""
from ..model import User
from ..model.cache import cached_find, cached_value
from ..security import user_principals


def cached_user(request, user_id):
    """The ``User`` with this id (None when there is none)."""
    users = cached_find(request, User, {"_id": user_id}) if user_id else []
    return users[0] if users else None


def cached_principals(request, user):
    """``forge.security.user_principals(user)`` for the request's tree generation."""
    return cached_value(request, ("principals", user._id), lambda: user_principals(user))
