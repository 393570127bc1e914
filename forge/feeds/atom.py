"""Build an Atom document from a page of activity items (feedgen).

Ids are tag: URIs that never change for an entry or a stream (the host of the
forge's base URL, a fixed date, the entry's event id or the node's path), so
a feed reader never shows an entry twice; links are absolute, on
``forge.base_url`` when it is set, the request's host otherwise.
"""
import datetime
from urllib.parse import urlsplit

from feedgen.feed import FeedGenerator

from ..settings import DEFAULTS

TAG_DATE = "2026"
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def configured_base(request):
    """``forge.base_url`` when set to something other than its development
    default (which names no real host: the request's own host is better)."""
    base = request.registry.settings.get("forge.base_url") or ""
    default = DEFAULTS.get("forge.base_url", (None,))[0]
    return base.rstrip("/") if base and base != default else None


def base_url(request):
    return configured_base(request) or request.application_url.rstrip("/")


def absolute(request, url):
    """``url`` (made by ``request.forge_url``) moved onto the forge's base URL."""
    base = configured_base(request)
    if base and url.startswith(request.application_url):
        return base.rstrip("/") + url[len(request.application_url):]
    return url


def tag(request, specific):
    host = urlsplit(base_url(request)).hostname or "localhost"
    return "tag:%s,%s:%s" % (host, TAG_DATE, specific)


def atom_feed(request, node, title, items, html_url, self_url):
    """The Atom XML (bytes) of ``items`` (``ActivityItem``, newest first)."""
    feed = FeedGenerator()
    stream = "/".join(n.__name__ for n in request.lineage(node)[1:] if n.__name__)
    feed.id(tag(request, "stream/%s/%s" % (stream, request.view_name)))
    feed.title(title)
    feed.link(href=html_url, rel="alternate", type="text/html")
    feed.link(href=self_url, rel="self", type="application/atom+xml")
    feed.generator("PyForge")
    feed.updated(items[0].when if items else EPOCH)
    for item in reversed(items):         # feedgen prepends: add oldest first
        entry = feed.add_entry()
        entry.id(tag(request, "activity/%s" % item.entry["_id"]))
        entry.title(item.entry.get("title") or item.node.title or "(untitled)")
        entry.link(href=absolute(request, request.forge_url(item.node)) + item.anchor,
                   rel="alternate", type="text/html")
        entry.author(name=item.actor_name)
        entry.updated(item.when)
        entry.published(item.when)
        entry.summary("%s %s" % (item.actor_name, item.what))
    return feed.atom_str(pretty=True)
