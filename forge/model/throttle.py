"""Attempt counters with expiry, shared by every process of the forge.

One document per key (``"address:192.0.2.1"``, ``"account:ada"``, ...):
``count`` attempts in a fixed window that ends at ``expires`` (epoch seconds).
Written with single-document atomic operations only, and without upserts
(nx-27017 drops ``$setOnInsert`` fields): a missing counter is inserted, and
a duplicate key means a parallel request inserted it first.  Expired counters
are replaced when next used and purged now and then, so the collection holds
recent attempts only.  No page shows them: writing bumps no generation.
"""
from ming.odm import FieldProperty, MappedClass
from pymongo.errors import DuplicateKeyError

from .cache import not_on_pages
from .session import collection, session

NO_LIMIT = 2 ** 31 - 1


@not_on_pages
class ThrottleCounter(MappedClass):
    class __mongometa__:
        session = session
        name = "throttle_counter"
        indexes = [("expires",)]

    _id = FieldProperty(str)        # the key
    count = FieldProperty(int)
    expires = FieldProperty(float)  # end of the current window


def _store():
    return collection(ThrottleCounter, bump=False)


def take(key, limit, window, now):
    """Count one attempt under ``key`` unless ``limit`` were counted in its
    current window.  Returns 0 when counted, else the seconds until the window
    ends.  Atomic: parallel attempts never get past the limit."""
    store = _store()
    for _attempt in range(5):
        counted = store.find_one_and_update(
            {"_id": key, "count": {"$lt": limit}, "expires": {"$gt": now}},
            {"$inc": {"count": 1}}, projection={"_id": 1})
        if counted is not None:
            return 0
        current = store.find_one({"_id": key})
        if current is None:
            try:
                store.insert_one({"_id": key, "count": 1, "expires": now + window})
                return 0
            except DuplicateKeyError:
                continue                    # a parallel attempt created it: count there
        if current["expires"] <= now:
            store.delete_one({"_id": key, "expires": current["expires"]})
            continue
        return current["expires"] - now
    return window       # the counter kept changing under us: refuse rather than not count


def give_back(key):
    """Uncount one attempt (it turned out not to be a failure)."""
    _store().update_one({"_id": key, "count": {"$gt": 0}}, {"$inc": {"count": -1}})


def current_count(key, now):
    current = _store().find_one({"_id": key})
    if current is None or current["expires"] <= now:
        return 0
    return current["count"]


def reset(key):
    _store().delete_one({"_id": key})


def purge_expired_counters(now):
    return _store().delete_many({"expires": {"$lt": now}}).deleted_count
