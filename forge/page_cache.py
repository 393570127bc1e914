"""Whole pages for readers who are not signed in, kept exact by the generations.

Most page views of a public forge come from people who are not signed in (and
from crawlers), and for them a page depends only on its URL and on what the
database holds.  A view that knows this says so with the view option
``page_cache=True``; its 200 answers to such readers are kept per process,
under the (tree, content) generations the request read at its start (see
``forge.model.cache``: every write of anything a page shows bumps ``content``
once it is done).  A later request for the same URL reads the generations (one
small query) and, while they are unchanged, gets the stored page without
traversal, security checks or rendering.  No TTL: a change made by any process
(web, worker, CLI) is seen by the next request, as with the tree cache.
Requests that arrive together share that query (``forge.model.cache.
SharedRead``): each waits for a read that starts after it arrived, never for
one already on its way, so it sees every write finished before it, as with a
read of its own.

Never cached, so nothing personal or half-made is ever shared:

* requests that carry a credential of any kind, so that no answer computed for
  a particular reader is ever kept: any cookie (the session cookie or another),
  an ``Authorization`` header, or a credential in the query (``?token=`` of a
  feed, ``CREDENTIAL_PARAMETERS``); and methods other than GET;
* answers whose view says they are for one reader (``Cache-Control: private``
  or ``no-store``): a view that reads a credential from elsewhere says so;
* answers other than 200, bodies that are not plain bytes (files, streams)
  or larger than a sixteenth of the budget;
* answers whose request touched the session (a CSRF token or a flash message
  makes the page per person), set a cookie, or added response callbacks;
* requests that wrote to the database (``page_generations`` is None).

The key is the URL, the ``Accept`` and ``X-Requested-With`` headers and the
date (a page may say what day it is: a milestone is overdue from one day on).

Key kinds: the rules above are the first kind, ``AnonymousPages``.  Another
part may add a kind with ``config.add_page_cache_kind`` for requests that do
carry a credential, when its key names the reader exactly and it can check on
every hit what the generations do not cover: the REST API keeps answers per
API token that way (``forge.rest.answer_cache``), and signed-in pages are kept
per session (``forge.signed_pages``), in the same store, under the same
generations and byte budget.  A kind's pages may name an owner (a session):
one owner keeps at most ``1/OWNER_SHARE`` of the budget, its least recently
used pages going first, so one reader cannot evict everyone else's pages.

State outside the database: a view whose answer also depends on something
the generations do not cover (the search page: the search index on local
disk) names it with ``depends_on(request, signature)`` before it reads that
state: ``signature()`` is a cheap, comparable summary of it (a file's stat),
read then and stored with the page; every hit, of any kind, calls it again
and serves the page only while it returns the same value.  The view must make
its answer from that state or newer, so a stored page is never older than its
signature says.

Fast path (``forge.page_cache_fast``): an anonymous GET is looked up before
Pyramid's router makes a request and runs the tweens (an execution policy).  A hit is answered there with the status and header list the full
chain would send (the stored page, its ETag, the security headers), counted
by the metrics; anything else (a miss, a request with a cookie or another
credential, a bad Host, ``/@@health``, a path outside the forge) goes through
the router as before, and a look-up already made is handed on, not repeated.
It is on only while every tween above the page cache and every ``NewResponse``
subscriber is one whose effect on a hit it reproduces (``FastPath``); an
unknown one turns it off, with a warning.

Stored pages carry an ETag, so browsers revalidate with a 304.  Setting
``forge.page_cache.max_mb`` (default 64; 0 turns the cache off) bounds the
memory per process, least recently used pages going first.
"""
import datetime
import hashlib
import threading
from collections import OrderedDict
from urllib.parse import parse_qsl

from pyramid.response import Response

from .model.cache import SharedRead, current_generations, page_generations
from .model.session import session
from .response_headers import add_security_headers
from .scope import in_forge

ALLOWED = "forge.page_cache.allowed"     # environ key set by the view deriver
GENERATIONS = "forge.page_cache.generations"
DEPENDS = "forge.page_cache.depends"     # environ key: [(signature, value)] (``depends_on``)
LOOKED_UP = "forge.page_cache.looked_up"  # environ key: the fast path's (key, page or error)
STARTED = "forge.page_cache.started"     # environ key: when the fast path began (metrics)
HEADER = "X-Forge-Page-Cache"           # hit or miss, for operators and tests
SKIPPED_HEADERS = frozenset(("set-cookie", "content-length", "date", "etag", HEADER.lower()))
# query parameters that name a reader (a feed token, an unsubscribe token, and the
# usual OAuth-style names), compared case-insensitively
CREDENTIAL_PARAMETERS = frozenset(("token", "access_token", "api_key", "apikey", "key"))
# Cache-Control directives by which a view says its answer is for one reader
PER_READER_DIRECTIVES = frozenset(("private", "no-store"))
# one owner's (a session's) pages take at most this share of the byte budget
OWNER_SHARE = 32
TWEEN_NAME = "forge.page_cache.page_cache_tween_factory"


class CachedPage:
    __slots__ = ("generations", "status", "headers", "body", "etag", "reader", "owner",
                 "depends", "_sent")

    def __init__(self, generations, response, reader=None, keep_etag=False, owner=None,
                 depends=()):
        self.generations = generations
        self.owner = owner
        # ``depends_on``: (signature, value) pairs checked again on every hit
        self.depends = tuple(depends or ())
        self.status = response.status
        self.headers = [(name, value) for name, value in response.headerlist
                        if name.lower() not in SKIPPED_HEADERS]
        self.body = response.body
        # ``reader``: what a key kind checks again on every hit (a token's expiry)
        self.reader = reader
        # a kind that keeps the view's ETag (the REST API's: a node's version,
        # which clients send back in If-Match) stores it as sent, quotes included
        view_etag = response.headers.get("ETag") if keep_etag else None
        self.etag = view_etag or hashlib.blake2b(self.body, digest_size=12).hexdigest()
        self._sent = None

    def fresh(self):
        """Whether the state outside the generations the page was made from
        (``depends_on``) is still the same."""
        return all(signature() == value for signature, value in self.depends)

    @property
    def size(self):
        return len(self.body) + 64 * (len(self.headers) + 4)

    def set_etag(self, response):
        if self.etag.startswith(("\"", "W/")):
            response.headers["ETag"] = self.etag
        else:
            response.etag = self.etag

    def response(self):
        response = Response(status=self.status, headerlist=list(self.headers),
                            body=self.body, conditional_response=True)
        self.set_etag(response)
        response.headers[HEADER] = "hit"
        return response

    def sent(self):
        """The response the full chain sends for a hit on this page: what
        ``response`` makes, with the security headers the tween above adds
        (``forge.response_headers``), and the same as a ``PlainAnswer`` (None
        when it has a Location, which WebOb makes absolute per request); made
        once, then shared (read only)."""
        if self._sent is None:
            response = self.response()
            add_security_headers(response)
            plain = None if response.headers.get("Location") else PlainAnswer(
                response.status, tuple(response.headerlist), response.body)
            self._sent = (response, plain)
        return self._sent

    def answer(self, environ):
        """The WSGI answer of a hit: the response itself for a conditional
        request (WebOb's 304 and ranges, as the full chain does), else its
        status, headers and body as it would send them, with no Response per
        hit."""
        response, plain = self.sent()
        if (plain is None or environ.get("HTTP_IF_NONE_MATCH")
                or environ.get("HTTP_IF_MODIFIED_SINCE") or environ.get("HTTP_RANGE")):
            return response
        return plain


class PlainAnswer:
    """A stored page's answer to a GET without conditions (what WebOb's
    ``conditional_response_app`` sends then: the status, the headers, the body)."""
    __slots__ = ("status", "headers", "body")

    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def __call__(self, environ, start_response):
        start_response(self.status, list(self.headers))
        return [self.body]


class PageCache:
    """Least-recently-used pages within a byte budget, for one generation pair
    at a time: a hit that reads another pair from the database drops them all."""

    def __init__(self, max_bytes):
        self.max_bytes = max_bytes
        self._pages = OrderedDict()
        self._bytes = 0
        self._owned = {}            # owner -> OrderedDict of its keys, least recent first
        self._owned_bytes = {}
        self._generations = None
        self._lock = threading.Lock()
        self.hits = self.misses = self.stored = 0

    def __len__(self):
        return len(self._pages)

    def owned_bytes(self, owner):
        return self._owned_bytes.get(owner, 0)

    def _empty(self):
        self._pages.clear()
        self._bytes = 0
        self._owned.clear()
        self._owned_bytes.clear()

    def _drop(self, key):
        page = self._pages.pop(key, None)
        if page is None:
            return
        self._bytes -= page.size
        if page.owner is not None:
            keys = self._owned[page.owner]
            del keys[key]
            if keys:
                self._owned_bytes[page.owner] -= page.size
            else:
                del self._owned[page.owner], self._owned_bytes[page.owner]

    def get(self, key, generations_now):
        """The page stored for ``key`` if it is still valid; ``generations_now``
        is called (one query) only when there is a candidate."""
        with self._lock:
            page = self._pages.get(key)
            if page is None:
                self.misses += 1
                return None
        generations = generations_now()
        with self._lock:
            if generations != self._generations:
                # the database moved on: every stored page is out of date
                self._generations = generations
                self._empty()
            page = self._pages.get(key)
            if page is None or page.generations != generations:
                self.misses += 1
                return None
            self._pages.move_to_end(key)
            if page.owner is not None:
                self._owned[page.owner].move_to_end(key)
            self.hits += 1
            return page

    def put(self, key, page):
        owner_cap = self.max_bytes // OWNER_SHARE
        if page.size > self.max_bytes // 16 or (page.owner is not None and page.size > owner_cap):
            return
        with self._lock:
            if self._generations is None or page.generations > self._generations:
                # generations only grow: the stored pages are out of date
                self._generations = page.generations
                self._empty()
            elif page.generations != self._generations:
                return                  # rendered from data already replaced
            self._drop(key)
            self._pages[key] = page
            self._bytes += page.size
            if page.owner is not None:
                self._owned.setdefault(page.owner, OrderedDict())[key] = None
                self._owned_bytes[page.owner] = self._owned_bytes.get(page.owner, 0) + page.size
                while self._owned_bytes.get(page.owner, 0) > owner_cap:
                    self._drop(next(iter(self._owned[page.owner])))
            self.stored += 1
            while self._bytes > self.max_bytes and self._pages:
                self._drop(next(iter(self._pages)))


def carries_credentials(request):
    """Whether the request may be answered for a particular reader: it has a
    cookie (any: a signed-in or half-signed-in browser), ``Authorization``,
    or a credential in its query string."""
    if "Cookie" in request.headers or "Authorization" in request.headers:
        return True
    return credential_in_query(request)


def credential_in_query(request):
    """Whether the query string names a credential (``CREDENTIAL_PARAMETERS``)."""
    # the raw query: request.GET would decode (and may refuse) the values
    return any(name.strip().lower() in CREDENTIAL_PARAMETERS
               for name, _ in parse_qsl(request.query_string, keep_blank_values=True))


def per_reader(response):
    """Whether the view said its answer is for one reader only."""
    directives = response.headers.get("Cache-Control", "").lower().split(",")
    return any(d.split("=", 1)[0].strip() in PER_READER_DIRECTIVES for d in directives)


def cache_key(request):
    """The key of a request whose answer may come from the cache, else None."""
    if request.method != "GET" or carries_credentials(request):
        return None
    return page_key(request)


def page_key(request):
    """What names a page apart from its reader: the URL, the headers a view
    answers by, and the date (a page may show what day it is: a milestone's
    "overdue"), so a stored page lives at most until midnight."""
    return (request.url, request.headers.get("Accept", ""),
            request.headers.get("X-Requested-With", ""), datetime.date.today().toordinal())


def storable(request, response):
    return plain_answer(request, response) and not per_reader(response)


def plain_answer(request, response):
    """A 200 made from the generations the request read (``GENERATIONS``, set
    for views with ``page_cache=True``), the same for every request with its
    key: no session touched, no cookie set, no callbacks, no write, a body of
    plain bytes."""
    return "session" not in request.__dict__ and plain_bytes(request, response)


def plain_bytes(request, response):
    """``plain_answer`` but for the session (a kind keyed by the session may
    keep a page whose request read it)."""
    return (response.status_code == 200
            and request.environ.get(GENERATIONS) is not None
            and not request.response_callbacks
            and "Set-Cookie" not in response.headers
            and response.app_iter is not None
            and isinstance(response.app_iter, list))


class AnonymousPages:
    """The page cache's first key kind: requests that carry no credential, for
    views that opt in (``page_cache=True``).  Other kinds (the REST API's
    token answers, ``forge.rest.answer_cache``; signed-in pages,
    ``forge.signed_pages``) have the same members and are added with
    ``config.add_page_cache_kind``."""

    keeps_etag = False
    # ``Cache-Control`` given to the answers the kind stores when their view set none
    cache_control = None

    def owner(self, request):
        """Whose share of the budget a stored page counts against (None: no one's)."""
        return None

    def key(self, request):
        return cache_key(request)

    def admit(self, page, request):
        """Whether a stored page may answer this request (checked on each hit)."""
        return True

    def storable(self, request, response):
        return request.environ.get(ALLOWED) and storable(request, response)

    def reader(self, request):
        return None


def page_cache_tween_factory(handler, registry):
    if registry.forge_page_cache is None:
        return handler
    kinds = registry.forge_page_cache_kinds

    def page_cache_tween(request):
        if not in_forge(request):
            return handler(request)
        for kind in kinds:
            key = kind.key(request)
            if key is not None:
                break
        else:
            return handler(request)
        cache = registry.forge_page_cache     # read per request: tests renew it
        page = looked_up(request.environ, key)
        if page is NOT_LOOKED_UP:
            page = cache.get(key, generations_now)
        if page is not None and page.fresh() and kind.admit(page, request):
            return page.response()
        response = handler(request)
        if kind.storable(request, response):
            cache_control = getattr(kind, "cache_control", None)
            if cache_control and "Cache-Control" not in response.headers:
                response.headers["Cache-Control"] = cache_control
            owner = kind.owner(request) if hasattr(kind, "owner") else None
            page = CachedPage(request.environ[GENERATIONS], response, kind.reader(request),
                              keep_etag=kind.keeps_etag, owner=owner,
                              depends=request.environ.get(DEPENDS))
            cache.put(key, page)
            page.set_etag(response)
            response.conditional_response = True
            response.headers[HEADER] = "miss"
        return response

    return page_cache_tween


NOT_LOOKED_UP = object()


def looked_up(environ, key):
    """What the fast path found for ``key`` (a page or None), read after the
    request arrived; its error, raised again (the exception views answer it);
    else ``NOT_LOOKED_UP``."""
    found = environ.pop(LOOKED_UP, None)
    if found is None or found[0] != key:
        return NOT_LOOKED_UP
    if isinstance(found[1], Exception):
        raise found[1]
    return found[1]


# every look-up of this process reads the generations through one SharedRead:
# a request gets a value read after it arrived, and requests that arrive
# together share the read (one round trip to the database for them all)
_generations = SharedRead(lambda: current_generations(session.db))


def generations_now():
    return _generations()


def page_cache_deriver(view, info):
    """The ``page_cache=True`` view option: mark the request's answer as one
    the page cache may keep, with the generations read before the view ran."""
    if not info.options.get("page_cache"):
        return view

    def cacheable_view(context, request):
        if request.method == "GET":
            request.environ[ALLOWED] = True
            # read the generations (with the site config) before the view reads
            # anything, so a stored page is never older than its key says
            read_generations_now(request)
            response = view(context, request)
            request.environ[GENERATIONS] = page_generations(request)
            return response
        return view(context, request)

    return cacheable_view


page_cache_deriver.options = ("page_cache",)


def depends_on(request, signature):
    """The answer also depends on state the generations do not cover: call
    before reading that state.  ``signature()`` returns a cheap comparable
    summary of it; its value now is returned and kept with the stored page,
    which is served only while ``signature()`` returns it again.  The caller
    must then read that state as it is now or newer."""
    value = signature()
    request.environ.setdefault(DEPENDS, []).append((signature, value))
    return value


def read_generations_now(request):
    root = getattr(request, "root", None)
    if getattr(root, "kind", None) == "site":
        root.generations         # loads the site document and the counters once


def add_page_cache_kind(config, kind):
    """``config.add_page_cache_kind(kind)``: another kind of request whose
    answers the page cache keeps (after the anonymous pages, first key wins);
    ``kind`` has ``key``, ``admit``, ``storable``, ``reader`` and
    ``keeps_etag`` as ``AnonymousPages`` has (``owner`` and ``cache_control``
    may be left out: no owner, no header added).  Its keys must never equal
    another kind's (start them with the kind's name)."""
    config.registry.forge_page_cache_kinds.append(kind)


def includeme(config):
    """The cache and its tween (``forge.plugins`` adds the view option)."""
    max_mb = config.registry.settings["forge.page_cache.max_mb"]
    config.registry.forge_page_cache = PageCache(int(max_mb * 1024 * 1024)) if max_mb > 0 else None
    config.registry.forge_page_cache_kinds = [AnonymousPages()]
    config.add_directive("add_page_cache_kind", add_page_cache_kind)
    config.add_tween(TWEEN_NAME, over="forge.tweens.forge_tween_factory")
    from .page_cache_fast import page_cache_execution_policy  # it imports this module
    config.set_execution_policy(page_cache_execution_policy)
