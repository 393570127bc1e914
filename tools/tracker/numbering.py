"""Ticket numbers: 1, 2, 3... per tracker, without gaps or duplicates.

One atomic ``find_one_and_update`` with ``$inc`` (upserting the counter on
the tracker's first ticket) hands out each number exactly once, whatever the
number of web processes.  ``create_ticket`` takes the number only after the
input was validated and the auditors accepted the ticket, and the insert that
follows cannot collide (the number is new), so no number is ever skipped.
"""
from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from forge.api import collection

from .model import TicketCounter


def next_number(tool_id):
    counters = collection(TicketCounter)
    for _attempt in range(3):
        try:
            counter = counters.find_one_and_update(
                {"_id": tool_id}, {"$inc": {"last": 1}}, upsert=True,
                return_document=ReturnDocument.AFTER)
            return int(counter["last"])
        except DuplicateKeyError:
            # two first tickets raced to create the counter; the loser increments it
            continue
    raise RuntimeError("could not take a ticket number for tool %s" % tool_id)


def last_number(tool_id):
    counter = collection(TicketCounter).find_one({"_id": tool_id})
    return int(counter["last"]) if counter else 0
