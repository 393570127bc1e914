"""Live events: ``@@events`` on a project or a tool, as server-sent events.

The stream reads the outbox (the record of every change, in ``seq`` order),
so ``Last-Event-ID`` resumes exactly where a client left off.  Each event is
delivered only if the listener may read the node it names *now*, checked with
the same ACLs as the pages; an event about a node that no longer resolves
(deleted, moved) is not delivered.

Sequence numbers are taken before the flush that writes the record, so of two
overlapping saves the later number can be written first.  The stream never
passes a number that is not written yet (``Horizon``): it waits for it, and
gives up on it after ``GAP_SECONDS`` (a save whose flush failed leaves its
number unused for ever).  So Last-Event-ID never skips an event that was only
late.

Under waitress a stream holds a worker thread, so a process serves at most
``forge.events.max_streams`` streams at once (more get 503 with Retry-After)
and each stream ends after ``forge.events.stream_seconds``; browsers'
EventSource reconnects by itself with Last-Event-ID.
"""
import json
import threading
import time

from pyramid.response import Response
from pyramid.view import view_config

from ..interfaces import IProject, ITool
from ..model import OutboxEvent
from ..model.session import collection, session

POLL_SECONDS = 0.2
HEARTBEAT_SECONDS = 15
GAP_SECONDS = 5.0           # how long a taken but unwritten number holds the stream


class Horizon:
    """How far a stream may go: the highest number up to which every number
    is written (in any project) or was given up on."""

    def __init__(self, gap_seconds=GAP_SECONDS, clock=time.monotonic):
        self.gap_seconds = gap_seconds
        self.clock = clock
        self.missing_since = {}     # seq -> when this stream first missed it

    def up_to(self, last, highest):
        """The horizon in (``last``, ``highest``]; ``last`` when the next
        number is still awaited."""
        if highest <= last:
            return last
        written = {row["seq"] for row in collection(OutboxEvent).find(
            {"seq": {"$gt": last, "$lte": highest}}, {"seq": 1, "_id": 0})}
        now = self.clock()
        horizon = last
        for seq in range(last + 1, highest + 1):
            if seq not in written:
                since = self.missing_since.setdefault(seq, now)
                if now - since < self.gap_seconds:
                    break
            horizon = seq
        for seq in [s for s in self.missing_since if s <= horizon]:
            del self.missing_since[seq]
        return horizon


class StreamSlots:
    """A counter of open streams in this process."""

    def __init__(self, limit):
        self.limit = limit
        self.open = 0
        self._lock = threading.Lock()

    def take(self):
        with self._lock:
            if self.open >= self.limit:
                return False
            self.open += 1
            return True

    def give_back(self):
        with self._lock:
            self.open -= 1


def stream_slots(registry):
    slots = getattr(registry, "forge_stream_slots", None)
    if slots is None:
        slots = registry.forge_stream_slots = StreamSlots(
            registry.settings["forge.events.max_streams"])
    return slots


def last_event_id(request):
    raw = request.headers.get("Last-Event-ID") or request.GET.get("last_event_id") or ""
    return int(raw) if raw.isdigit() else None


def event_node(request, message):
    """The resource an event is about, resolved now, or None (the helper the
    activity lists share: ``forge.activity.query.NodeResolver``)."""
    from ..activity.query import NodeResolver
    return NodeResolver(request).resolve(message)


def format_event(record):
    data = json.dumps(record.message, sort_keys=True)
    return ("id: %d\nevent: %s\ndata: %s\n\n" % (record.seq, record.topic, data)).encode()


def stream(request, context, start_after, slots):
    """The body: events after ``start_after`` readable by the listener."""
    settings = request.registry.settings
    deadline = time.monotonic() + settings["forge.events.stream_seconds"]
    project_id = context.project.doc._id
    tool_id = context.doc._id if ITool.providedBy(context) else None
    last = start_after
    last_sent = time.monotonic()
    horizon = Horizon()
    try:
        yield b"retry: 1000\n\n"
        while time.monotonic() < deadline:
            session.close()     # read what other threads and processes wrote
            records = OutboxEvent.query.find(
                {"project_id": project_id, "seq": {"$gt": last}}).sort("seq", 1).limit(100).all()
            ready = horizon.up_to(last, records[-1].seq) if records else last
            found = False
            for record in records:
                if record.seq > ready:
                    break           # an earlier number is not written yet
                found = True
                last = record.seq
                if tool_id and record.message.get("tool_id") != tool_id:
                    continue
                node = event_node(request, record.message)
                if node is not None and request.can("read", node):
                    last_sent = time.monotonic()
                    yield format_event(record)
            if not found:
                if time.monotonic() - last_sent > HEARTBEAT_SECONDS:
                    last_sent = time.monotonic()
                    yield b": keep-alive\n\n"
                time.sleep(POLL_SECONDS)
    finally:
        session.close()
        slots.give_back()


@view_config(context=IProject, name="events", permission="read", request_method="GET")
@view_config(context=ITool, name="events", permission="read", request_method="GET")
def events(context, request):
    slots = stream_slots(request.registry)
    if not slots.take():
        response = Response(status=503, content_type="text/plain", charset="utf-8",
                            body=b"Too many live streams are open; retry shortly.\n")
        response.headers["Retry-After"] = "5"
        return response
    start_after = last_event_id(request)
    if start_after is None:
        newest = OutboxEvent.query.find({"project_id": context.project.doc._id}).sort(
            "seq", -1).limit(1).first()
        start_after = newest.seq if newest is not None else 0
    response = Response(content_type="text/event-stream", charset="utf-8")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Accel-Buffering"] = "no"
    response.app_iter = stream(request, context, start_after, slots)
    return response
