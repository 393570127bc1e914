"""``@@changes``: what changed since a page was drawn, for the page itself.

Every page inside a project carries the number of the newest outbox record it
has seen (``data-live-after`` on ``<body>``) and the URL of its node's
``@@changes``; ``forge:static/live.js`` asks that URL every
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
"""
from pyramid.view import view_config

from ..interfaces import IArtifact, IProject, ITool
from ..model import OutboxEvent
from ..user_lookup import usernames
from .events import event_node
from .params import int_param

DEFAULT_POLL_SECONDS = 20
MAX_RECORDS = 200       # a page this far behind is told "many changes", not each


def poll_seconds(registry):
    raw = registry.settings.get("forge.live.poll_seconds", DEFAULT_POLL_SECONDS)
    try:
        return max(0, int(raw))
    except (TypeError, ValueError):
        return DEFAULT_POLL_SECONDS


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
    """``{url, after, seconds}`` for ``<body>``, or None when the page has no
    node, polling is off, or the answer was not a page (no project)."""
    seconds = poll_seconds(request.registry)
    if getattr(request, "exception", None) is not None:
        return None             # an error page: its context may be unreadable
    node = live_node(request)
    project = getattr(node, "project", None) if node is not None else None
    if not seconds or project is None:
        return None
    return {"url": request.forge_url(node, "@@changes"),
            "after": newest_seq(project.doc._id), "seconds": seconds}


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
    """``?after=SEQ``: ``{"after": newest seen, "changes": how many concern this
    page, "people": who made them}``; the reader's own changes are left out."""
    after = int_param(request.GET, "after", "after", minimum=0, maximum=10 ** 15, default=0)
    records = OutboxEvent.query.find(
        {"project_id": context.project.doc._id, "seq": {"$gt": after}}).sort(
        "seq", 1).limit(MAX_RECORDS).all()
    me = request.authenticated_userid
    count, people = 0, []
    for record in records:
        message = record.message
        if message.get("actor_id") == me and me is not None:
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
    request.response.headers["Cache-Control"] = "no-store"
    return {"after": records[-1].seq if records else after, "changes": count,
            "more": len(records) == MAX_RECORDS,
            "people": [names[p] for p in people if p in names][:5]}
