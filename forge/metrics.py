"""``/@@metrics``: Prometheus metrics in the text exposition format.

* ``forge_request_seconds`` (histogram): request latency by **view**, method
  and status class.  The label is the name of the view callable that answered
  (``forge.views.bus.bus_page``), the route name for route views, ``page_cache``
  for a page served from the page cache and ``none`` when no view ran (the
  health tween, a request refused before traversal): a bounded set, fixed by the
  code, so no URL, project or artifact name ever becomes a label.
* ``forge_bus_*`` (gauges, read when scraped): unsent outbox events, the age of
  the oldest one, each reactor's queue depth (ready, retrying), its dead
  letters and its last lag.  Reactor names come from the code too.

Who may read it: site admins (a session or an API token of a site admin), or
any request from an address listed in ``forge.metrics.allow`` (``127.0.0.1
10.0.0.5``; env ``FORGE_METRICS_ALLOW``).  Anyone else gets the forbidden page.

Several web processes: set ``PROMETHEUS_MULTIPROC_DIR`` to an empty directory
shared by the processes of one machine (emptied when they start) before they
start; each process then writes its histogram to files there and any process
answers the scrape with the sum (``prometheus_client.multiprocess``).  Without
it each process reports only its own requests.
"""
import os
import time

from prometheus_client import CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from pyramid.httpexceptions import HTTPForbidden
from pyramid.response import Response
from pyramid.security import NO_PERMISSION_REQUIRED
from pyramid.settings import aslist

from .page_cache import HEADER as PAGE_CACHE_HEADER, STARTED
from .settings import env_name

VIEW_KEY = "forge.metrics.view"        # environ: the label of the view that answered
ALLOW_SETTING = "forge.metrics.allow"
NO_VIEW = "none"
PAGE_CACHE = "page_cache"
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
#: seconds; a page costs a few ms warm and up to a second cold on a loaded machine
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


def view_label(info):
    """The bounded label of a view: its route name, else its callable's dotted name."""
    route = info.options.get("route_name")
    if route:
        return "route:%s" % route
    view = info.original_view
    name = getattr(view, "__qualname__", None) or type(view).__qualname__
    module = getattr(view, "__module__", None) or type(view).__module__
    attr = info.options.get("attr")
    return "%s.%s%s" % (module, name, "." + attr if attr else "")


def metrics_view_deriver(view, info):
    label = view_label(info)

    def labelled_view(context, request):
        request.environ[VIEW_KEY] = label
        return view(context, request)

    return labelled_view


class ForgeMetrics:
    """The metrics of one forge (one registry): a histogram of its own, so two
    apps in one process (the tests) never register one name twice."""

    def __init__(self, registry):
        self.registry = registry
        self.own = CollectorRegistry(auto_describe=True)
        self.latency = Histogram("forge_request_seconds", "Request latency by view",
                                 ("view", "method", "status"), buckets=BUCKETS,
                                 registry=self.own)
        self._hits = {}             # status -> the page cache hits' series

    def observe(self, view, method, status, seconds):
        method = method if method in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE") \
            else "other"
        self.latency.labels(view, method, "%dxx" % (status // 100)).observe(seconds)

    def page_cache_hit(self, status, seconds):
        """A GET the page cache's fast path answered before the tweens
        (``forge.page_cache``): counted as this tween counts a hit, in the
        same series (kept: ``labels`` costs more than the observation)."""
        series = self._hits.get(status)
        if series is None:
            series = self._hits[status] = self.latency.labels(
                PAGE_CACHE, "GET", "%dxx" % (status // 100))
        series.observe(seconds)

    def exposition(self):
        """The text format: the request metrics (every process's, in
        multi-process mode) and the bus, read now."""
        if os.environ.get(MULTIPROC_ENV):
            from prometheus_client import multiprocess
            scraped = CollectorRegistry()
            multiprocess.MultiProcessCollector(scraped)
        else:
            scraped = CollectorRegistry()
            scraped.register(_Forwarded(self.own))
        scraped.register(BusCollector(self.registry))
        return generate_latest(scraped)


class _Forwarded:
    """Another registry's metrics, as a collector of this one."""

    def __init__(self, registry):
        self.registry = registry

    def collect(self):
        return self.registry.collect()


class BusCollector:
    """The outbox and the reactors' queues, read from the database and the
    broker when scraped (``forge.bus.status``: the ``@@bus`` page's numbers)."""

    def __init__(self, registry):
        self.registry = registry

    def collect(self):
        from .bus.status import bus_status
        from .model.outbox import OutboxEvent
        from .model.session import collection
        status = bus_status(self.registry)
        yield GaugeMetricFamily("forge_bus_unsent_events",
                                "Events saved but not yet handed to the broker",
                                value=status.unsent)
        oldest = list(collection(OutboxEvent).find({"sent": False}, {"created": 1})
                      .sort("seq", 1).limit(1))
        age = max(0.0, time.time() - (oldest[0].get("created") or time.time())) \
            if oldest else 0.0
        yield GaugeMetricFamily("forge_bus_oldest_unsent_seconds",
                                "Age of the oldest event not yet handed to the broker",
                                value=age)
        yield GaugeMetricFamily("forge_bus_broker_up", "1 when the broker answered",
                                value=0 if status.broker_error else 1)
        depth = GaugeMetricFamily("forge_bus_queue_depth",
                                  "Messages waiting in a reactor's queues",
                                  labels=("reactor", "queue"))
        dead = GaugeMetricFamily("forge_bus_dead_letters",
                                 "Events in a reactor's dead-letter queue", labels=("reactor",))
        lag = GaugeMetricFamily("forge_bus_reactor_lag_seconds",
                                "Seconds from saving to handling of the reactor's last event",
                                labels=("reactor",))
        processed = GaugeMetricFamily("forge_bus_reactor_events",
                                      "Events a reactor handled, by outcome (all workers)",
                                      labels=("reactor", "outcome"))
        known = self.registry.forge_reactors
        for row in status.reactors:
            if row.name not in known:
                continue        # another forge's rows (a shared database): not ours to name
            for queue in ("ready", "retrying"):
                if queue in row.queues:
                    depth.add_metric((row.name, queue), row.queues[queue])
            if "dead" in row.queues:
                dead.add_metric((row.name,), row.queues["dead"])
            if row.lag_seconds is not None:
                lag.add_metric((row.name,), row.lag_seconds)
            for outcome, count in row.counters.items():
                processed.add_metric((row.name, outcome), count)
        yield from (depth, dead, lag, processed)


def allowed_addresses(settings):
    return set(aslist(os.environ.get(env_name(ALLOW_SETTING),
                                     settings.get(ALLOW_SETTING, ""))))


def metrics_tween_factory(handler, registry):
    metrics = registry.forge_metrics = ForgeMetrics(registry)

    def metrics_tween(request):
        # from the page cache's look-up when its fast path handed the request on
        started = request.environ.get(STARTED) or time.perf_counter()
        response = None
        try:
            response = handler(request)
            return response
        finally:
            status = response.status_int if response is not None else 500
            view = request.environ.get(VIEW_KEY)
            if view is None:
                hit = response is not None and response.headers.get(PAGE_CACHE_HEADER) == "hit"
                view = PAGE_CACHE if hit else NO_VIEW
            metrics.observe(view, request.method, status, time.perf_counter() - started)

    return metrics_tween


def metrics_view(context, request):
    if request.remote_addr not in request.registry.forge_metrics_allow \
            and not request.has_permission("admin", request.root):
        raise HTTPForbidden()
    response = Response(request.registry.forge_metrics.exposition())
    response.headers["Content-Type"] = CONTENT_TYPE_LATEST
    response.cache_control = "no-store"
    return response


def includeme(config):
    from .interfaces import ISiteRoot
    config.registry.forge_metrics_allow = allowed_addresses(config.registry.settings)
    config.add_view_deriver(metrics_view_deriver)
    # under the cookie guard only (which must see every request first): the
    # latency is the whole request's, health and page cache included
    config.add_tween("forge.metrics.metrics_tween_factory",
                     under="forge.request_headers.cookie_guard_tween_factory")
    # the address allow-list or the admin permission, checked in the view
    config.add_view(metrics_view, context=ISiteRoot, name="metrics",
                    permission=NO_PERMISSION_REQUIRED)
