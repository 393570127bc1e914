"""Signed-in browser sessions, kept server-side so that they can be ended.

The browser's cookie holds a random session id; this collection holds only its
SHA-256 (``_id``), so a copy of the database opens no session.  ``data`` is the
session's JSON text (any key, no nx-27017 type quirks); the other fields are
for ending sessions (``user_id``, ``expires``) and listing them to their owner
(``created``, ``seen``, ``user_agent``, ``address``).  Times are epoch seconds:
they are written with ``$set`` (see "Writing portably" in DESIGN.md).

No page shows these documents, so a write that only slides ``seen`` and
``expires`` bumps no generation.  Every other change of a stored record (its
data, its per-user generation, its end) moves the content generation after it
is written: each process keeps the records it read under the generations
(``forge.sessions.KeptRecords``), so a signed-in request costs no read of its
own while nothing was written.
"""
import hashlib
import threading
from collections import OrderedDict

from ming.odm import FieldProperty, MappedClass

from .cache import note_change, not_on_pages
from .session import collection, session


TOUCH_SECONDS = 300             # "last seen" is written at most this often
KEPT_RECORDS = 10000            # stored records kept per process (a few MB at most)


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


class KeptRecords:
    """The stored records this process read, kept under the site's (``tree``,
    ``content``) generations the reading request saw.

    A signed-in page read its record by ``_id`` on every request, yet a record
    changes only when its session writes, and every write of one but the
    "last seen" touch moves the content generation after it (below): ending it
    (sign-out, a password change, a disabled user), its data (a flash, a new
    token) and the per-user generation of the unread badge.  So a record kept
    under the generations a request read is the stored one for that request,
    in every process, without a TTL.  The touch moves nothing: a kept record
    whose touch is due or that looks expired is read again (``fresh``), and
    one that the page cache's check (``session_for_page``) finds different
    from the stored one is dropped.  Misses are not kept (made-up cookies
    cannot fill the store).  Emptied when the generations change; at most
    ``KEPT_RECORDS``, least recently used out first."""

    def __init__(self, size=KEPT_RECORDS):
        self.size = size
        self._lock = threading.Lock()
        self._generations = None
        self._records = OrderedDict()

    def get(self, generations, record_id):
        with self._lock:
            if generations != self._generations:
                return None
            record = self._records.get(record_id)
            if record is not None:
                self._records.move_to_end(record_id)
            return record

    def put(self, generations, record):
        with self._lock:
            if generations != self._generations:
                self._records = OrderedDict()
                self._generations = generations
            self._records[record["_id"]] = record
            self._records.move_to_end(record["_id"])
            while len(self._records) > self.size:
                self._records.popitem(last=False)

    def drop_unless(self, record_id, stored):
        """Forget the kept copy of ``record_id`` unless ``stored`` (the record
        just read, or None) agrees with it on every field it has."""
        with self._lock:
            kept = self._records.get(record_id)
            if kept is not None and (stored is None or any(
                    kept.get(name) != value for name, value in stored.items())):
                del self._records[record_id]

    def clear(self):
        with self._lock:
            self._records = OrderedDict()
            self._generations = None

    def __len__(self):
        return len(self._records)


#: this process's kept records (one per process, like the database client)
kept_records = KeptRecords()


# a record whose data holds a pending flash (``forge.sessions.FLASH_PREFIX``
# as a JSON key) is read every time: the next page pops it, and that write
# then needs no generation (``save_session_data``)
UNKEPT_DATA = '"_f_'


def keepable(data):
    """Whether a record with this ``data`` text may be kept (the same test
    for keeping and for ``save_session_data``'s skipped move, so the two
    agree whatever the text means)."""
    return UNKEPT_DATA not in (data or "")


def fresh(record, now):
    """Whether a kept record may stand for the stored one now: not past its
    expiry, and no "last seen" touch due (another process may have slid both)."""
    return record.get("expires", 0) > now and now - record.get("seen", 0) < TOUCH_SECONDS


def find_session(record_id, now, generations=None):
    """The raw record if it exists and has not expired: kept under
    ``generations`` (the request's, ``forge.model.cache.page_generations``;
    None for a request that wrote), else one read by ``_id``.  Shared: never
    change it."""
    if generations is not None:
        record = kept_records.get(generations, record_id)
        if record is not None and fresh(record, now):
            return record
    record = _store().find_one({"_id": record_id})
    if record is None or record.get("expires", 0) <= now:
        return None
    if generations is not None and keepable(record.get("data")):
        kept_records.put(generations, record)
    return record


def keep_written(generations, record):
    """Keep ``record`` as this process just wrote it (a touch, or data saved
    without moving a generation) under the generations its request read, so
    that its next request neither reads nor touches it again."""
    if generations is not None and keepable(record.get("data")):
        kept_records.put(generations, record)


# what a page kept for a session checks again on each hit (forge.signed_pages)
PAGE_FIELDS = {"user_id": 1, "data": 1, "generation": 1, "seen": 1, "expires": 1}


def session_for_page(record_id, now, generations=None):
    """``find_session`` for a kept page's check (``forge.signed_pages``): the
    record kept under ``generations`` (the page's, which the page cache has
    just read again) while it is ``fresh``, else one read of only what the
    page is checked against.  The kept copy may only be older than the stored
    one in its touch (``seen``, ``expires``), so a check that passes on it
    passes on the stored one."""
    if generations is not None:
        record = kept_records.get(generations, record_id)
        if record is not None and fresh(record, now):
            return record
    record = _store().find_one({"_id": record_id}, PAGE_FIELDS)
    kept_records.drop_unless(record_id, record)
    if record is None or record.get("expires", 0) <= now:
        return None
    return record


def insert_session(record):
    _store().insert_one(record)


def _moved(write):
    """``write``, then the content generation moves (also when it failed:
    it may have landed): a record kept under the old generations is not used
    again by any process."""
    def moving(*args, **kw):
        try:
            return write(*args, **kw)
        finally:
            note_change(content=True)
    moving.__name__, moving.__doc__ = write.__name__, write.__doc__
    return moving


def save_session_data(record_id, data, now, expires, read_data=None):
    """Write the session's data.  The content generation moves after it,
    unless the data as this request read it (``read_data``) is a state no
    process keeps (``keepable``: a pending flash) and is still the stored one:
    then no kept copy can be older than this write (popping a flash, the
    next page after most forms, costs no generation).  True when none moved
    (the writer may then keep the record as written)."""
    values = {"$set": {"data": data, "seen": now, "expires": expires}}
    if read_data is not None and not keepable(read_data):
        if _store().update_one({"_id": record_id, "data": read_data}, values).matched_count:
            return True
    _moved(_store().update_one)({"_id": record_id}, values)
    return False


def touch_session(record_id, now, expires):
    """Slides ``seen`` and ``expires`` (no generation moves: a kept record
    whose touch is due, or that looks expired, is read again)."""
    _store().update_one({"_id": record_id}, {"$set": {"seen": now, "expires": expires}})


@_moved
def end_session(record_id):
    _store().delete_one({"_id": record_id})


@_moved
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


@_moved
def bump_user_generation(user_id):
    """Every session of the user sees a new ``generation`` (one write; pages
    read it with the session record they load anyway)."""
    _store().update_many({"user_id": user_id}, {"$inc": {"generation": 1}})
