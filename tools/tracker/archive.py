"""The tracker's part of a project archive: its ticket counter.

Tickets travel as records; the counter (keyed by the tool's id, which an
import changes) travels as data, so the next ticket after an import is the
number after the last one handed out, never a number a ticket holds."""
from forge.api import collection, last_number

from .model import Ticket, TicketCounter


def export_counter(registry, tool_doc, files):
    return {"last": last_number(TicketCounter, tool_doc._id)}


def restore_counter(registry, tool_doc, data, files):
    highest = collection(Ticket).find_one({"tool_id": tool_doc._id}, {"number": 1},
                                          sort=[("number", -1)])
    last = max(int((data or {}).get("last") or 0), int(highest["number"]) if highest else 0)
    collection(TicketCounter).replace_one({"_id": tool_doc._id},
                                          {"_id": tool_doc._id, "last": last}, upsert=True)
