"""``/@@health``: which of the parts the forge runs on answer.

For load balancers, monitoring and people::

    GET /@@health  ->  200 {"status": "ok", "parts": {"database": {"status": "ok", ...},
                                                      "broker": ..., "search": ...,
                                                      "worker": ...}}

Each part is ``ok``, ``degraded`` or ``down``.  The answer is 503 when a vital
part is down (the database: no page can be served without it), 200 otherwise,
with ``status`` ``degraded`` when anything else is not ``ok`` (the broker down:
saves still work, their events wait in the outbox; the worker behind: an
event not handed to the broker, or a reactor's last event, older than
``LAG_DEGRADED_SECONDS``, or on RabbitMQ a reactor with events waiting in its
queue that has handled none for that long).  ``search`` names the index the
process reads (a search node's, or the shared one) and where it is kept.

It is answered by a tween, before sessions, traversal and the page cache, so
it reads nothing a request would and keeps answering when the database is
down.  The probes run at most once per ``CACHE_SECONDS`` in a process (one
request probes, the others at that moment wait for its result), each with a
short timeout.  The document carries states, numbers and error class names
only: no URL, host, user or message (a broker's error quotes its URL).
"""
import html
import logging
import threading
import time

from pyramid.response import Response

log = logging.getLogger(__name__)

OK, DEGRADED, DOWN = "ok", "degraded", "down"
VITAL = ("database",)
CACHE_SECONDS = 2.0
PROBE_TIMEOUT_SECONDS = 1.0
#: the worker is behind when the oldest event not yet handed to the broker is
#: older than this, or a reactor's last event took longer to reach it
LAG_DEGRADED_SECONDS = 60.0
#: counting unsent events stops here: the number is for people, the cost stays flat
UNSENT_COUNT_LIMIT = 10000
PATH = "/@@health"


class HealthProbes:
    """The probes of one forge (a registry), their last result, and its age."""

    def __init__(self, registry, clock=time.monotonic, wall_clock=time.time):
        self.registry = registry
        self.clock = clock
        self.wall_clock = wall_clock
        self._waiting_since = {}        # reactor name -> when its waiting events were seen
        self._lock = threading.Lock()
        self._result = None
        self._checked_at = None
        self._client = None

    def report(self):
        """``{"status": ..., "parts": {...}}``, probed at most every CACHE_SECONDS."""
        with self._lock:
            now = self.clock()
            if self._result is None or now - self._checked_at >= CACHE_SECONDS:
                self._result = self._probe_all()
                self._checked_at = self.clock()
            return self._result

    def _probe_all(self):
        parts = {}
        for name, probe in (("database", self.database), ("broker", self.broker),
                            ("search", self.search), ("worker", self.worker)):
            started = time.perf_counter()
            try:
                part = probe(parts)
            except Exception as error:      # a probe's own failure is that part down
                part = {"status": DOWN, "error": type(error).__name__}
            part["ms"] = round((time.perf_counter() - started) * 1000, 1)
            parts[name] = part
        return {"status": overall(parts), "parts": parts}

    # -- the parts --------------------------------------------------------------

    def database(self, parts):
        try:
            self._database_ping()
        except Exception:
            # the probe's own client is renewed next time (after a server restart its
            # connection is dead); on a busy machine a fresh client may need longer
            # than the probe's timeout to connect, so the pages' own client decides:
            # it is up if that client holds a server it can read from now (no I/O)
            self._close_client()
            in_memory = self.registry.settings.get("ming.main.uri", "").startswith("mim://")
            if in_memory or not pages_reach_database():
                raise
        return {"status": OK}

    def _close_client(self):
        client, self._client = self._client, None
        if client is not None:
            client.close()

    def _database_ping(self):
        settings = self.registry.settings
        uri = settings.get("ming.main.uri", "")
        if uri.startswith("mim://"):
            # the in-memory test database has no ping; a read is the same question
            from .model.session import doc_session
            doc_session.db["counters"].find_one({"_id": "outbox"})
            return
        if self._client is None:
            import pymongo
            timeout_ms = int(PROBE_TIMEOUT_SECONDS * 1000)
            # a client of its own: a short timeout, and the pages' pool left alone
            self._client = pymongo.MongoClient(uri, serverSelectionTimeoutMS=timeout_ms,
                                               connectTimeoutMS=timeout_ms,
                                               socketTimeoutMS=timeout_ms, maxPoolSize=1)
        self._client.admin.command("ping")

    def broker(self, parts):
        url = self.registry.settings.get("forge.bus.url", "memory://")
        if url.startswith("memory://"):
            return {"status": OK, "kind": "in process"}
        from kombu import Connection
        with Connection(url, connect_timeout=PROBE_TIMEOUT_SECONDS) as connection:
            try:
                # one try, no pause between retries: a refused port answers at once
                connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0,
                                             timeout=PROBE_TIMEOUT_SECONDS)
            except Exception as error:
                # the outbox keeps the events: saves go on, delivery waits
                return {"status": DOWN, "error": type(error).__name__}
        return {"status": OK, "kind": "amqp"}

    def search(self, parts):
        holder = getattr(self.registry, "forge_search_index", None)
        if holder is None:
            return {"status": OK, "kind": "not installed"}
        from .search.node import search_node
        index = holder()
        return {"status": OK, "documents": int(index.searcher().num_docs),
                # which index this process reads: a search node's own, or the shared one
                "node": search_node(self.registry.settings) or "shared",
                "storage": "disk" if index.path else "memory"}

    def worker(self, parts):
        if parts.get("database", {}).get("status") == DOWN:
            # the outbox is in the database: nothing is delivered while it is down
            return {"status": DOWN, "error": "database down"}
        from .bus.processed import read_stats
        from .model.outbox import OutboxEvent
        from .model.session import collection
        outbox = collection(OutboxEvent)
        unsent = outbox.find({"sent": False}, {"_id": 1}).limit(UNSENT_COUNT_LIMIT + 1)
        unsent_count = len(list(unsent))
        oldest = list(outbox.find({"sent": False}, {"created": 1}).sort("seq", 1).limit(1))
        oldest_age = (max(0.0, time.time() - (oldest[0].get("created") or time.time()))
                      if oldest else 0.0)
        stats = read_stats()
        lags = [row.get("lag_seconds") or 0.0 for row in stats.values()]
        reactor_lag = max(lags) if lags else 0.0
        part = {"unsent_events": unsent_count,
                "unsent_capped": unsent_count > UNSENT_COUNT_LIMIT,
                "oldest_unsent_seconds": round(oldest_age, 1),
                "reactor_lag_seconds": round(reactor_lag, 1)}
        if parts.get("broker", {}).get("kind") == "amqp":
            try:
                part.update(self._queued(stats))
            except Exception as error:   # the outbox's numbers still hold
                part["queues_error"] = type(error).__name__
        behind = max(oldest_age, reactor_lag, part.get("stalled_seconds", 0.0)) \
            > LAG_DEGRADED_SECONDS
        return dict(part, status=DEGRADED if behind else OK)

    def _queued(self, stats):
        """Events handed to the broker and not yet handled (the reactors' queues),
        dead letters, and for how long a reactor with events waiting has not
        handled one (its workers stopped or stuck: ``stalled_seconds``)."""
        from .bus.dead_letters import queue_depths
        depths = queue_depths(self.registry)
        now = self.wall_clock()
        stalled = []
        for name, depth in depths.items():
            if not depth.get("ready"):
                self._waiting_since.pop(name, None)
                continue
            # a reactor no worker ever ran has no counters: waiting since we first saw it
            since = self._waiting_since.setdefault(name, now)
            stalled.append(now - max(stats.get(name, {}).get("updated") or since, since))
        return {"queued_events": sum(d.get("ready", 0) + d.get("retrying", 0)
                                     for d in depths.values()),
                "dead_letters": sum(d.get("dead", 0) for d in depths.values()),
                "stalled_seconds": round(max(stalled, default=0.0), 1)}


def pages_reach_database():
    """Whether the pages' own pymongo client knows a readable server at this
    moment (it marks a server unknown at its first failed operation)."""
    from pymongo import ReadPreference

    from .model.session import doc_session
    try:
        description = doc_session.db.client.topology_description
        return description.has_readable_server(ReadPreference.PRIMARY_PREFERRED)
    except Exception:       # not bound, or not a pymongo client: nothing to tell
        return False


def overall(parts):
    states = {name: part["status"] for name, part in parts.items()}
    if any(states.get(name) == DOWN for name in VITAL):
        return DOWN
    if any(state != OK for state in states.values()):
        return DEGRADED
    return OK


def health_response(request, report):
    status = 503 if report["status"] == DOWN else 200
    if request.accept.best_match(["application/json", "text/html"]) == "text/html":
        response = Response(_page(report), status=status, content_type="text/html",
                            charset="utf-8")
    else:
        response = Response(status=status, content_type="application/json", charset="utf-8")
        response.json_body = report
    response.cache_control = "no-store"
    return response


def _page(report):
    rows = "".join(
        "<tr><th>%s</th><td class=\"%s\">%s</td><td>%s</td></tr>" % (
            html.escape(name), html.escape(part["status"]), html.escape(part["status"]),
            html.escape(", ".join("%s: %s" % (k, v) for k, v in part.items()
                                  if k != "status")))
        for name, part in report["parts"].items())
    return ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<title>Health: %s</title><style>body{font-family:system-ui,sans-serif;"
            "margin:2em}td,th{padding:.2em .8em;text-align:left}.ok{color:#060}"
            ".degraded{color:#a60}.down{color:#b00}</style></head><body>"
            "<h1>Health: <span class=\"%s\">%s</span></h1><table>%s</table></body></html>"
            % ((html.escape(report["status"]),) * 3 + (rows,)))


def health_paths(registry):
    from .scope import mount_paths
    mounts = mount_paths(registry)
    if mounts is None:
        return {PATH}
    return {mount.rstrip("/") + PATH for mount in mounts}


def health_tween_factory(handler, registry):
    registry.forge_health = HealthProbes(registry)
    paths = health_paths(registry)

    def health_tween(request):
        # the raw WSGI path: decoding it may fail (%FF), and that is the
        # exception view's 400 to answer, below
        if request.method in ("GET", "HEAD") and request.environ.get("PATH_INFO") in paths:
            return health_response(request, registry.forge_health.report())
        return handler(request)

    return health_tween
