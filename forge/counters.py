"""Numbers handed out one by one (1, 2, 3...) per key, without gaps or duplicates.

One atomic ``find_one_and_update`` with ``$inc`` (upserting the counter on
its first use) hands out each number exactly once, whatever the number of
web processes.  A tool keeps its counters in a collection of its own (a
mapped class with ``_id`` and ``last``, like the tracker's ``TicketCounter``);
take the number inside the unit of work, after the auditors accepted the
change, so a refused change uses none::

    number = next_number(TicketCounter, tool_doc._id)
"""
from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from .model.session import collection


def next_number(counter_class, key):
    counters = collection(counter_class)
    for _attempt in range(3):
        try:
            counter = counters.find_one_and_update(
                {"_id": key}, {"$inc": {"last": 1}}, upsert=True,
                return_document=ReturnDocument.AFTER)
            return int(counter["last"])
        except DuplicateKeyError:
            # two first numbers raced to create the counter; the loser increments it
            continue
    raise RuntimeError("could not take a number from %s %s" % (counter_class.__name__, key))


def last_number(counter_class, key):
    """The last number handed out for ``key`` (0 before the first)."""
    counter = collection(counter_class).find_one({"_id": key})
    return int(counter["last"]) if counter else 0
