"""Looking people up by id for display: who wrote, edited or is assigned to something."""
from collections.abc import Iterable
from dataclasses import dataclass

from pyramid.threadlocal import get_current_request

from .model import User
from .model.cache import attach, cached_value
from .resources.base import StoredDocument

#: shown for an id whose account no longer exists
DELETED_USER = "(deleted user)"


def user_names(user_id):
    """(username, display title) of an account, or None when it is gone.

    Users are tree documents (a rename or a new display name moves the tree
    generation), so inside a request the pair comes from the tree cache: a
    page naming the same people on every view reads none of them.  Outside
    a request, or in one that changed the tree, one indexed lookup."""
    def load():
        from .model.session import collection
        raw = collection(User).find_one({"_id": user_id}, {"username": 1, "display_name": 1})
        if raw is None:
            return None
        return raw["username"], raw.get("display_name") or raw["username"]
    request = get_current_request()
    if request is None:
        return load()
    return cached_value(request, ("user-names", user_id), load)


def usernames(ids: Iterable[str | None]) -> dict[str, str]:
    """{user id: username}, each distinct id through ``user_names`` (lists
    here name few distinct people; ``$in`` scans on the embedded server).
    Empty ids are skipped; an id whose account is gone maps to ``DELETED_USER``."""
    names = {}
    for user_id in ids:
        if user_id and user_id not in names:
            found = user_names(user_id)
            names[user_id] = found[0] if found else DELETED_USER
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
    """{user id: Person}, each distinct id through ``user_names`` like ``usernames``."""
    found = {}
    for user_id in ids:
        if user_id and user_id not in found:
            names = user_names(user_id)
            found[user_id] = Person(names[1], names[0]) if names else Person(DELETED_USER)
    return found


class StoredUser(StoredDocument):
    """The signed-in reader of a GET or HEAD as stored (from the tree cache),
    read without building its Ming object (``forge.resources.base.
    StoredDocument``): pages read the reader's id, name, title and flags, and
    building the ``User`` (a copy and a validation of every field) cost every
    signed-in page a tenth of a millisecond.  ``title`` is the ``User``'s own
    rule; a field the stored document lacks, and any assignment, go to the
    Ming object (built then, and read from then on)."""

    __slots__ = ()

    def __init__(self, raw):
        object.__setattr__(self, "cls", User)
        object.__setattr__(self, "raw", raw)

    @property
    def title(self):
        return self.display_name or self.username

    def __setattr__(self, name, value):
        if name in StoredDocument.__slots__:
            object.__setattr__(self, name, value)
        else:
            setattr(self.materialize(), name, value)


def reader_document(request, raw, generation):
    """The signed-in ``User`` (``forge.security``): for a GET or HEAD under a
    known tree generation the stored document read as it is (such a request
    writes nothing), else the Ming object, which may be changed."""
    if generation is not None and request.method in ("GET", "HEAD"):
        return StoredUser(raw)
    return attach(User, raw)
