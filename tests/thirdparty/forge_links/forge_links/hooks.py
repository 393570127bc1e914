"""The links' auditor (before a change) and reactor (after it)."""
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from forge.api import collection

from .model import Link


def strip_tracking(change):
    """Drop ``utm_*`` parameters from the address before it is saved."""
    if "url" in change.new:
        parts = urlsplit(change.new["url"])
        query = [(k, v) for k, v in parse_qsl(parts.query) if not k.startswith("utm_")]
        change.new["url"] = urlunsplit(parts._replace(query=urlencode(query)))


def record_host(event, context):
    """Keep the link's host; recomputed from what is stored, so a replay is harmless."""
    link = collection(Link).find_one({"_id": event["node_id"]}, {"url": 1})
    if link is not None:
        host = (urlsplit(link["url"]).hostname or "").lower()
        collection(Link).update_one({"_id": link["_id"]}, {"$set": {"host": host}})
