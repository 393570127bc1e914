"""``@@changes``: what changed since a page was drawn, for the page itself.

Every page inside a project carries its node's ``@@changes`` URL
(``data-live-url`` on ``<body>``); ``forge:static/live.js`` asks it once when
the page loads (no ``after``: the answer is only a cursor) and then every
``forge.live.poll_seconds`` (default 20; 0 turns it off) while the tab is
visible, and shows a small "new activity" notice with a reload link when
someone else changed what the page shows. A short poll and not the live event
stream: a stream holds one of the server's few threads for as long as the tab
is open (``forge.events.max_streams`` is 2 per process), a poll a few
milliseconds.

What counts is decided by the one visibility rule (``forge.visibility``): an
event about a node the reader may not read now is not counted, and neither are
the reader's own changes. On an artifact's pages only events about the
artifact and its comments count; on a tool's, the tool's; on a project's, the
project's (subprojects have their own outbox records and pages).

The cursor is the outbox number sealed with a fresh nonce each time
(``seal``/``unseal``, keyed by ``forge.secret``): a plain number would tell a
reader how many events, private ones included, happened in the project, and a
stable token would tell whether any did. The page itself carries no number, so
two readers' pages differ only in what they may read.
"""
import base64
import hashlib
import hmac
import os

from pyramid.httpexceptions import HTTPBadRequest
from pyramid.view import view_config

from ..interfaces import IArtifact, IProject, ITool
from ..model import OutboxEvent
from ..user_lookup import usernames
from .events import event_node


DEFAULT_POLL_SECONDS = 20
MAX_RECORDS = 200       # read per poll; a page further behind catches up over polls
CURSOR_PURPOSE = b"forge.live.cursor"


def _key(registry):
    return hashlib.sha256(CURSOR_PURPOSE + registry.settings["forge.secret"].encode()).digest()


def seal(registry, seq):
    """An opaque cursor for outbox number ``seq``, different every time."""
    key, nonce = _key(registry), os.urandom(8)
    pad = hashlib.sha256(key + nonce).digest()[:8]
    body = bytes(a ^ b for a, b in zip(seq.to_bytes(8, "big"), pad))
    tag = hmac.new(key, nonce + body, hashlib.sha256).digest()[:12]
    return base64.urlsafe_b64encode(nonce + body + tag).decode().rstrip("=")


def unseal(registry, cursor):
    """The number in a cursor ``seal`` made, or None for anything else."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    except (ValueError, TypeError):
        return None
    if len(raw) != 28:
        return None
    key, nonce, body, tag = _key(registry), raw[:8], raw[8:16], raw[16:]
    if not hmac.compare_digest(tag, hmac.new(key, nonce + body, hashlib.sha256).digest()[:12]):
        return None
    pad = hashlib.sha256(key + nonce).digest()[:8]
    return int.from_bytes(bytes(a ^ b for a, b in zip(body, pad)), "big")


def poll_seconds(registry):
    return max(0, int(registry.settings.get("forge.live.poll_seconds", DEFAULT_POLL_SECONDS)))


def live_node(request):
    """The project, tool or artifact whose changes this page shows, or None."""
    context = getattr(request, "context", None)
    for iface in (IArtifact, ITool, IProject):
        if iface.providedBy(context):
            return context
    return None


def newest_seq(project_id):
    newest = OutboxEvent.query.find({"project_id": project_id}).sort("seq", -1).limit(1).first()
    return newest.seq if newest is not None else 0


def live_attributes(request):
    """``{url, seconds}`` for ``<body>``, or None when the page has no node,
    polling is off, or the answer was not a page (no project)."""
    seconds = poll_seconds(request.registry)
    if getattr(request, "exception", None) is not None:
        return None             # an error page: its context may be unreadable
    node = live_node(request)
    project = getattr(node, "project", None) if node is not None else None
    if not seconds or project is None:
        return None
    return {"url": request.forge_url(node, "@@changes"), "seconds": seconds}


def concerns(node, message):
    """Whether the outbox ``message`` is about what ``node``'s pages show."""
    if IArtifact.providedBy(node):
        doc = node.doc
        return doc._id in (message.get("node_id"), message.get("artifact_id")) or (
            message.get("node_type") in ("Post", "Thread")
            and message.get("tool_id") == doc.tool_id and message.get("path") == doc.path)
    if ITool.providedBy(node):
        return message.get("tool_id") == node.doc._id
    return True


@view_config(context=IProject, name="changes", permission="read", request_method="GET",
             renderer="json")
@view_config(context=ITool, name="changes", permission="read", request_method="GET",
             renderer="json")
@view_config(context=IArtifact, name="changes", permission="read", request_method="GET",
             renderer="json")
def changes(context, request):
    """``?after=CURSOR``: ``{"after": a new cursor, "changes": how many
    events since the cursor concern this page, "people": who made them}``; the
    reader's own changes are left out. Without ``after``: only a cursor."""
    request.response.headers["Cache-Control"] = "no-store"
    project_id = context.project.doc._id
    raw = request.GET.get("after", "")
    if not raw:
        return {"after": seal(request.registry, newest_seq(project_id)), "changes": 0,
                "people": []}
    after = unseal(request.registry, raw[:64])
    if after is None:
        raise HTTPBadRequest("after: not a cursor this page was given; reload the page.")
    records = OutboxEvent.query.find(
        {"project_id": project_id, "seq": {"$gt": after}}).sort(
        "seq", 1).limit(MAX_RECORDS).all()
    me = request.authenticated_userid
    count, people = 0, []
    for record in records:
        message = record.message
        if me is not None and message.get("actor_id") == me:
            continue
        if not concerns(context, message):
            continue
        node = event_node(request, message)
        if node is None or not request.can("read", node):
            continue
        count += 1
        if message.get("actor_id") and message["actor_id"] not in people:
            people.append(message["actor_id"])
    names = usernames(people)
    return {"after": seal(request.registry, records[-1].seq if records else after),
            "changes": count, "people": [names[p] for p in people if p in names][:5]}
