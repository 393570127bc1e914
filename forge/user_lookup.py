"""Looking people up by id for display: who wrote, edited or is assigned to something."""
from collections.abc import Iterable
from dataclasses import dataclass

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


@dataclass(frozen=True)
class Person:
    """Someone as pages show them: the display name (``title``), linked to the
    profile of ``username`` (templates: ``forge:templates/people.jinja2``).
    No username: nobody to link to (the system, a deleted account)."""
    title: str
    username: str = ""


SYSTEM_PERSON = Person("system")


def people(ids: Iterable[str | None]) -> dict[str, Person]:
    """{user id: Person}, one indexed lookup per distinct id, like ``usernames``."""
    found = {}
    for user_id in ids:
        if user_id and user_id not in found:
            user = User.query.get(_id=user_id)
            found[user_id] = Person(user.title, user.username) if user \
                else Person(DELETED_USER)
    return found
