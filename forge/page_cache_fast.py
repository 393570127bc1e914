"""The page cache's fast path: anonymous GET hits answered before Pyramid's
router makes a request and runs the tweens (``page_cache_execution_policy``),
with the status and headers the full chain would send (``forge.page_cache``
has the store, the keys and the tween; see its docstring).
"""
import datetime
import logging
import time

from pyramid.events import NewResponse
from pyramid.interfaces import ITweens
from pyramid.request import Request
from pyramid.router import default_execution_policy
from zope.interface import implementedBy

from . import page_cache
from .page_cache import LOOKED_UP, STARTED, TWEEN_NAME, cache_key
from .request_headers import host_is_valid
from .scope import in_forge

log = logging.getLogger(__name__)


# The tweens a hit passes through between the router and the page cache, and
# what each does to it: the cookie guard refuses a bad Host (the fast path
# leaves such requests to it) and rewrites cookies (the fast path takes none);
# the metrics count it (``FastPath.serve`` does); the security headers are
# added (``CachedPage.sent``); ``/@@health`` is answered by its tween (never
# looked up here); the exception view tween passes an answer through.
TWEENS_ABOVE = frozenset((
    "forge.request_headers.cookie_guard_tween_factory",
    "forge.metrics.metrics_tween_factory",
    "forge.response_headers.security_headers_tween_factory",
    "forge.health.health_tween_factory",
    "pyramid.tweens.excview_tween_factory",
))
# ``NewResponse`` subscribers that leave a stored page's answer (a 200) alone
NEW_RESPONSE_IGNORING_200 = frozenset((
    "forge.rate_limits.retry_after",        # acts on a 429 only
))
# what ``cache_key`` and ``in_forge`` read from the environ: the method, the
# credentials, the URL as WebOb makes it, the headers a page is keyed by
KEY_SOURCES = ("REQUEST_METHOD", "HTTP_COOKIE", "HTTP_AUTHORIZATION", "wsgi.url_scheme",
               "HTTP_HOST", "SERVER_NAME", "SERVER_PORT", "SCRIPT_NAME", "PATH_INFO",
               "QUERY_STRING", "HTTP_ACCEPT", "HTTP_X_REQUESTED_WITH")
MAX_KEYS = 4096         # keys remembered by the fast path (all forgotten when full)


class FastPath:
    """Anonymous GETs answered from the page cache before the router makes a
    request and runs the tweens, with the answer the full chain would give.

    Takes only what the anonymous kind would (no cookie, no ``Authorization``,
    no credential in the query: ``cache_key``), under the forge
    (``in_forge``), with a Host the cookie guard lets through, and not
    ``/@@health``.  ``off`` says why it is off, or is None."""

    def __init__(self, registry):
        from .health import health_paths
        self.registry = registry
        self.health_paths = frozenset(health_paths(registry))
        self._keys = {}
        self.off = self._why_off(registry)
        if self.off:
            log.warning("the page cache answers hits through the tweens only: %s", self.off)

    @staticmethod
    def _why_off(registry):
        tweens = registry.queryUtility(ITweens)
        names = (tweens.explicit or [name for name, _ in tweens.implicit()]) if tweens else []
        if TWEEN_NAME not in names:
            return "no page cache tween"
        unknown = [name for name in names[:names.index(TWEEN_NAME)] if name not in TWEENS_ABOVE]
        if unknown:
            return "tween(s) above the page cache: %s" % ", ".join(unknown)
        subscribers = registry.adapters.subscriptions((implementedBy(NewResponse),), None)
        unknown = [dotted_name(s) for s in subscribers
                   if dotted_name(s) not in NEW_RESPONSE_IGNORING_200]
        if unknown:
            return "NewResponse subscriber(s): %s" % ", ".join(unknown)
        return None

    def serve(self, environ):
        """The answer of a hit, or None (a look-up made is left in the environ)."""
        if (environ.get("REQUEST_METHOD") != "GET" or "HTTP_COOKIE" in environ
                or "HTTP_AUTHORIZATION" in environ or not host_is_valid(environ)
                or environ.get("PATH_INFO") in self.health_paths):
            return None
        cache = self.registry.forge_page_cache
        if cache is None:
            return None
        started = time.perf_counter()
        key = self.key(environ)
        if key is None:
            return None
        try:
            page = cache.get(key, page_cache.generations_now)
        except Exception as error:      # the database: the exception views answer
            environ[LOOKED_UP], environ[STARTED] = (key, error), started
            return None
        if page is None or not page.fresh():
            environ[LOOKED_UP], environ[STARTED] = (key, page), started
            return None
        answer = page.answer(environ)
        metrics = getattr(self.registry, "forge_metrics", None)
        if metrics is not None:
            metrics.page_cache_hit(page.sent()[0].status_int, time.perf_counter() - started)
        return answer

    def key(self, environ):
        """``cache_key`` of the request, or None when it has none or is not
        the forge's (``in_forge``); remembered by everything those read from
        the environ (``KEY_SOURCES``) and the date, so that a hit makes no
        request object and no URL."""
        sources = tuple(map(environ.get, KEY_SOURCES)) + (datetime.date.today(),)
        try:
            return self._keys[sources]
        except KeyError:
            pass
        request = Request(environ)
        request.registry = self.registry
        try:
            key = cache_key(request) if in_forge(request) else None
        except UnicodeDecodeError:
            return None     # the exception view's 400, through the tweens
        if len(self._keys) >= MAX_KEYS:
            self._keys.clear()
        self._keys[sources] = key
        return key


def dotted_name(function):
    return "%s.%s" % (getattr(function, "__module__", "?"),
                      getattr(function, "__qualname__", type(function).__qualname__))


def fast_path(registry):
    fast = registry.__dict__.get("forge_page_cache_fast")
    if fast is None:
        fast = registry.forge_page_cache_fast = FastPath(registry)
    return fast


def page_cache_execution_policy(environ, router):
    """Pyramid's execution policy, after the page cache's fast path."""
    fast = fast_path(router.registry)
    if not fast.off:
        answer = fast.serve(environ)
        if answer is not None:
            return answer
    return default_execution_policy(environ, router)
