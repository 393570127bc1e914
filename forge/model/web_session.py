"""Signed-in browser sessions, kept server-side so that they can be ended.

The browser's cookie holds a random session id; this collection holds only its
SHA-256 (``_id``), so a copy of the database opens no session.  ``data`` is the
session's JSON text (any key, no nx-27017 type quirks); the other fields are
for ending sessions (``user_id``, ``expires``) and listing them to their owner
(``created``, ``seen``, ``user_agent``, ``address``).  Times are epoch seconds:
they are written with ``$set`` (see "Writing portably" in DESIGN.md).

No page shows these documents, so writing them bumps no generation.
"""
import hashlib

from ming.odm import FieldProperty, MappedClass

from .cache import not_on_pages
from .session import collection, session


def session_id_hash(session_id):
    return hashlib.sha256(session_id.encode("ascii")).hexdigest()


@not_on_pages
class WebSession(MappedClass):
    class __mongometa__:
        session = session
        name = "web_session"
        indexes = [("user_id",), ("expires",)]

    _id = FieldProperty(str)               # SHA-256 of the cookie's session id
    user_id = FieldProperty(str)
    data = FieldProperty(str, if_missing="{}")
    created = FieldProperty(float)
    seen = FieldProperty(float)            # updated at most every few minutes
    expires = FieldProperty(float)         # seen + forge.session.max_age
    user_agent = FieldProperty(str, if_missing="")
    address = FieldProperty(str, if_missing="")
    # the user's own generation: bumped when something only this user's pages
    # show changed (their unread notifications), so a signed-in page keeps
    # such a piece per generation (forge.fragments) at no read of its own
    generation = FieldProperty(int, if_missing=0)


def _store():
    return collection(WebSession, bump=False)


def find_session(record_id, now):
    """The raw record if it exists and has not expired (one read by ``_id``)."""
    record = _store().find_one({"_id": record_id})
    if record is None or record.get("expires", 0) <= now:
        return None
    return record


# what a page kept for a session checks again on each hit (forge.signed_pages)
PAGE_FIELDS = {"user_id": 1, "data": 1, "generation": 1, "seen": 1, "expires": 1}


def session_for_page(record_id, now):
    """``find_session`` reading only what a kept page is checked against."""
    record = _store().find_one({"_id": record_id}, PAGE_FIELDS)
    if record is None or record.get("expires", 0) <= now:
        return None
    return record


def insert_session(record):
    _store().insert_one(record)


def save_session_data(record_id, data, now, expires):
    _store().update_one({"_id": record_id},
                        {"$set": {"data": data, "seen": now, "expires": expires}})


def touch_session(record_id, now, expires):
    _store().update_one({"_id": record_id}, {"$set": {"seen": now, "expires": expires}})


def end_session(record_id):
    _store().delete_one({"_id": record_id})


def end_sessions_of(user_id, keep=None):
    """End every session of the user (but ``keep``, a record id); returns how many."""
    query = {"user_id": user_id}
    if keep is not None:
        query["_id"] = {"$ne": keep}
    return _store().delete_many(query).deleted_count


def sessions_of(user_id, now):
    """The user's live sessions, most recently seen first (for the account page)."""
    live = [record for record in _store().find({"user_id": user_id})
            if record.get("expires", 0) > now]
    return sorted(live, key=lambda record: -record.get("seen", 0))


def purge_expired_sessions(now):
    return _store().delete_many({"expires": {"$lt": now}}).deleted_count


def bump_user_generation(user_id):
    """Every session of the user sees a new ``generation`` (one write; pages
    read it with the session record they load anyway)."""
    _store().update_many({"user_id": user_id}, {"$inc": {"generation": 1}})
