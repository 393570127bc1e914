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
``forge.events.max_streams`` streams at once, and at most
``forge.events.max_streams_per_address`` for one client address and
``forge.events.max_streams_per_user`` for one signed-in user, so that no
single client can take every slot (beyond: 503 with Retry-After).  Each
stream ends after ``forge.events.stream_seconds``; browsers' EventSource
reconnects by itself with Last-Event-ID.

A slot must come back as soon as its client has gone, or two clients that
vanish hold the site's streams until they time out.  The stream asks waitress
each poll (``waitress.client_disconnected``, which sees the closed socket when
the server reads ahead: ``channel_request_lookahead``, set by ``forge serve``
and the INI files) and sends a comment every ``HEARTBEAT_SECONDS``, so that
under any server a write to a closed socket ends it within a few seconds.  The
slot is given back by the body's ``close()``, which the server calls however
the response ends, even one never iterated.
"""
import json
import threading
import time
from collections import Counter

from pyramid.response import Response
from pyramid.view import view_config

from ..interfaces import IProject, ITool
from ..model import OutboxEvent
from ..model.session import collection, session

POLL_SECONDS = 0.2
HEARTBEAT_SECONDS = 1.0     # a comment this often: a closed client fails a write soon
HEARTBEAT = b":\n\n"
GAP_SECONDS = 5.0           # how long a taken but unwritten number holds the stream


class Horizon:
    """How far a stream may go: the highest number up to which every number
    is written (in any project) or was given up on.

    The numbers missing in a range start their clocks together, when the
    stream first meets them: a gap of n numbers (a unit of work that failed
    after taking n) holds the stream ``gap_seconds`` in all, not n times that."""

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
        return self.reached(last, highest, written)

    def reached(self, last, highest, written):
        """``up_to`` given the numbers in (``last``, ``highest``] that are ``written``."""
        now = self.clock()
        missing = [seq for seq in range(last + 1, highest + 1) if seq not in written]
        for seq in missing:
            self.missing_since.setdefault(seq, now)
        horizon = highest
        for seq in missing:
            if now - self.missing_since[seq] < self.gap_seconds:
                horizon = seq - 1
                break
        for seq in [s for s in self.missing_since if s <= horizon]:
            del self.missing_since[seq]
        return horizon


class StreamSlots:
    """The open streams of this process: at most ``limit`` in all and
    ``per_key[kind]`` for each listener key of that kind (``("address", ip)``,
    ``("user", id)``)."""

    def __init__(self, limit, per_key):
        self.limit = limit
        self.per_key = per_key
        self.open = 0
        self.by_key = Counter()
        self._lock = threading.Lock()

    def take(self, keys=()):
        """A ``StreamSlot`` for a listener with ``keys``, or None when the
        process or one of the keys has no slot left."""
        with self._lock:
            if self.open >= self.limit or any(
                    self.by_key[key] >= self.per_key[key[0]] for key in keys):
                return None
            self.open += 1
            self.by_key.update(keys)
            return StreamSlot(self, keys)

    def _give_back(self, keys):
        with self._lock:
            self.open -= 1
            self.by_key.subtract(keys)
            for key in keys:
                if self.by_key[key] <= 0:
                    del self.by_key[key]


class StreamSlot:
    """One taken slot; ``release`` gives it back once, however often called."""

    def __init__(self, slots, keys):
        self._slots = slots
        self._keys = tuple(keys)
        self._released = False
        self._lock = threading.Lock()

    def release(self):
        with self._lock:
            if self._released:
                return
            self._released = True
        self._slots._give_back(self._keys)


def stream_slots(registry):
    slots = getattr(registry, "forge_stream_slots", None)
    if slots is None:
        settings = registry.settings
        slots = registry.forge_stream_slots = StreamSlots(
            settings["forge.events.max_streams"],
            {"address": settings["forge.events.max_streams_per_address"],
             "user": settings["forge.events.max_streams_per_user"]})
    return slots


def listener_keys(request):
    """What a stream counts against besides the process: its client address
    (behind a trusted proxy, waitress puts the forwarded one in REMOTE_ADDR)
    and, when signed in, its user."""
    keys = [("address", request.remote_addr or "unknown")]
    user_id = request.authenticated_userid
    if user_id:
        keys.append(("user", user_id))
    return keys


def last_event_id(request):
    """The number the client last saw, or None (also for anything that is not
    a plain number a database query can hold: start from now)."""
    raw = request.headers.get("Last-Event-ID") or request.GET.get("last_event_id") or ""
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 18 else None


def event_node(request, message):
    """The resource an event is about, resolved now by its id, or None (the
    one visibility rule every surface shares: ``forge.visibility``)."""
    from ..visibility import NodeResolver
    return NodeResolver(request).resolve(message)


def format_event(record):
    data = json.dumps(record.message, sort_keys=True)
    return ("id: %d\nevent: %s\ndata: %s\n\n" % (record.seq, record.topic, data)).encode()


class StreamBody:
    """The response body: the events, and the slot given back on ``close()``
    (PEP 3333: the server calls it however the response ends; a generator's
    ``finally`` would not run for a body never iterated)."""

    def __init__(self, events, slot):
        self._events = events
        self._slot = slot

    def __iter__(self):
        return self

    def __next__(self):
        return next(self._events)

    def close(self):
        try:
            self._events.close()
        finally:
            self._slot.release()


def client_gone_check(request):
    """A callable that says whether the client has closed its connection
    (waitress' own check, else one that never knows: the heartbeat's write
    is what fails then)."""
    return request.environ.get("waitress.client_disconnected") or (lambda: False)


def stream(request, context, start_after):
    """The events after ``start_after`` readable by the listener, until the
    stream's time is up or the client has gone."""
    settings = request.registry.settings
    deadline = time.monotonic() + settings["forge.events.stream_seconds"]
    client_gone = client_gone_check(request)
    project_id = context.project.doc._id
    tool_id = context.doc._id if ITool.providedBy(context) else None
    last = start_after
    last_sent = time.monotonic()
    horizon = Horizon()
    try:
        yield b"retry: 1000\n\n"
        first = True        # one pass at least, however late the server got to it
        while first or (time.monotonic() < deadline and not client_gone()):
            first = False
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
                if time.monotonic() - last_sent >= HEARTBEAT_SECONDS:
                    last_sent = time.monotonic()
                    yield HEARTBEAT
                time.sleep(POLL_SECONDS)
    finally:
        session.close()


@view_config(context=IProject, name="events", permission="read", request_method="GET")
@view_config(context=ITool, name="events", permission="read", request_method="GET")
def events(context, request):
    slot = stream_slots(request.registry).take(listener_keys(request))
    if slot is None:
        response = Response(status=503, content_type="text/plain", charset="utf-8",
                            body=b"Too many live streams are open; retry shortly.\n")
        response.headers["Retry-After"] = "5"
        return response
    try:
        start_after = last_event_id(request)
        if start_after is None:
            newest = OutboxEvent.query.find({"project_id": context.project.doc._id}).sort(
                "seq", -1).limit(1).first()
            start_after = newest.seq if newest is not None else 0
    except BaseException:
        slot.release()
        raise
    response = Response(content_type="text/event-stream", charset="utf-8")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Accel-Buffering"] = "no"
    response.app_iter = StreamBody(stream(request, context, start_after), slot)
    return response
