"""Looking people up by id for display: who wrote, edited or is assigned to something."""
from collections.abc import Iterable

from .model import User

#: shown for an id whose account no longer exists
DELETED_USER = "(deleted user)"


def usernames(ids: Iterable[str | None]) -> dict[str, str]:
    """{user id: username} with one indexed lookup per distinct id (lists here
    name few distinct people; ``$in`` scans on the embedded server).  Empty ids
    are skipped; an id whose account is gone maps to ``DELETED_USER``."""
    names = {}
    for user_id in ids:
        if user_id and user_id not in names:
            user = User.query.get(_id=user_id)
            names[user_id] = user.username if user else DELETED_USER
    return names
