"""Browser pages for the tests, each one as a fresh context would give it.

Making a browser context and its first page costs Chromium a new renderer
(1-1.5 s under ``make test``, measured), more than most browser tests spend
on their own pages.  So each test process keeps its contexts, one page each,
in a ``PagePool``: a test's n-th page is the n-th context of the pool (a test
that needs two people takes two, with their own cookies), and after the test
every context it took is put back as new:

* the test's other pages (popups, ``context.new_page()``) are closed, and the
  kept page goes to ``about:blank`` (its scripts and timers stop);
* cookies (also those of ``page.request``), permissions, routes, the HTTP
  cache and everything stored for the origin (local and session storage,
  IndexedDB, service workers, Cache Storage) are cleared; the viewport and
  default timeouts are the pool's again;
* a context whose page was closed, or on which the test added listeners
  (a dialog handler, say) or changed what clearing cannot undo (extra
  headers, offline, geolocation, emulated media, init scripts, exposed
  functions), is closed and replaced by a new one.

Tests that change the context in another way (``page.clock``, say) ask for
``new_page(own_context=True)``: a context of their own, closed after the test.
``tests/browser/test_page_pool.py`` checks that nothing carries over.
"""
from urllib.parse import urlsplit

VIEWPORT = {"width": 1200, "height": 800}

# what a test may call on a context or page that reset cannot take back
_LASTING = {
    "context": ("set_extra_http_headers", "set_geolocation", "set_offline", "add_init_script",
                "expose_binding", "expose_function", "route_from_har", "route_web_socket"),
    "page": ("set_extra_http_headers", "emulate_media", "add_init_script", "expose_binding",
             "expose_function", "route_from_har", "route_web_socket", "add_locator_handler"),
}
# what reset undoes only when a test called it (each undoing is a round trip)
_UNDONE = {"context": ("grant_permissions", "route"), "page": ("route",)}


class PageGuard:
    """Records console errors and requests to other origins of one page
    (for the test that holds it: ``clear`` starts afresh)."""

    def __init__(self, page, base_url):
        self.origin = urlsplit(base_url)[:2]
        self.clear()
        page.on("console", self.on_console)
        page.on("pageerror", self.on_page_error)
        page.on("request", self.on_request)

    def clear(self):
        self.problems = []
        self.documents = set()

    def on_page_error(self, error):
        self.problems.append("page error: %s" % error)

    def on_request(self, request):
        parts = urlsplit(request.url)
        if parts.scheme in ("data", "blob", "about"):
            return
        if parts[:2] != self.origin:
            self.problems.append("request to another origin: %s" % request.url)
        if request.resource_type == "document":
            self.documents.add(request.url)

    def on_console(self, message):
        if message.type != "error":
            return
        # Chromium logs every non-2xx *document* as "Failed to load resource";
        # the tests assert those statuses themselves (404/403/400 pages are the
        # point of some tests), so only failing sub-resources count here.
        location = (message.location or {}).get("url", "")
        if message.text.startswith("Failed to load resource") and location in self.documents:
            return
        # Chromium asks for /favicon.ico by itself; the forge declares no icon
        if urlsplit(location).path == "/favicon.ico":
            return
        self.problems.append("console error: %s (at %s)" % (message.text, location))


def _listening(emitter):
    """event -> number of listeners of a Playwright object (its implementation's)."""
    impl = emitter._impl_obj
    return {name: impl.listener_count(name) for name in impl.event_names()
            if impl.listener_count(name)}


class Slot:
    """A context with one page and its guard, reusable from test to test."""

    def __init__(self, browser, base_url, timeout_ms):
        self.base_url = base_url
        self.origin = "%s://%s" % urlsplit(base_url)[:2]
        self.timeout_ms = timeout_ms
        self.context = browser.new_context(base_url=base_url, viewport=VIEWPORT)
        self.context.set_default_timeout(timeout_ms)
        self.page = self.context.new_page()
        self.guard = PageGuard(self.page, base_url)
        self.cdp = self.context.new_cdp_session(self.page)
        self.lasting = False
        self.failure = None         # why the last reset failed
        self.called = set()         # of _UNDONE, since the last reset
        self._watch(self.context, "context")
        self._watch(self.page, "page")
        self.listeners = (_listening(self.context), _listening(self.page))

    def _watch(self, target, kind):
        """Note the calls of ``_LASTING`` and ``_UNDONE`` methods on ``target``."""
        for name in _LASTING[kind] + _UNDONE[kind]:
            method = getattr(target, name, None)
            if method is None:
                continue

            def noted(*args, _method=method, _call=(kind, name), **kw):
                if _call[1] in _LASTING[_call[0]]:
                    self.lasting = True
                self.called.add(_call)
                return _method(*args, **kw)
            setattr(target, name, noted)

    def reusable(self):
        return (not self.lasting and not self.page.is_closed()
                and (_listening(self.context), _listening(self.page)) == self.listeners)

    def reset(self):
        """As new (see the module's docstring); False when it cannot be."""
        self.failure = None
        try:
            if not self.reusable():
                self.failure = "not reusable: lasting %s, listeners %s" % (
                    self.lasting, (_listening(self.context), _listening(self.page)))
                return False
            for other in self.context.pages:
                if other is not self.page:
                    other.close()
            # session storage belongs to the tab, and only a page of its origin
            # reaches it (Storage.clearDataForOrigin below leaves it)
            if self.page.url.startswith(self.origin + "/"):
                self.page.evaluate("sessionStorage.clear()")
            elif self.guard.documents:
                self.failure = "left the origin for %s" % self.page.url
                return False
            self.page.goto("about:blank")
            self.context.clear_cookies()
            if ("context", "grant_permissions") in self.called:
                self.context.clear_permissions()
            if ("context", "route") in self.called:
                self.context.unroute_all()
            if ("page", "route") in self.called:
                self.page.unroute_all()
            self.called.clear()
            self.cdp.send("Network.clearBrowserCache")
            self.cdp.send("Storage.clearDataForOrigin",
                          {"origin": self.origin, "storageTypes": "all"})
            if self.page.viewport_size != VIEWPORT:
                self.page.set_viewport_size(VIEWPORT)
            self.page.set_default_timeout(self.timeout_ms)
            self.page.set_default_navigation_timeout(self.timeout_ms)
            self.context.set_default_timeout(self.timeout_ms)
            self.context.set_default_navigation_timeout(self.timeout_ms)
            self.guard.clear()
            return self.reusable()
        except Exception as error:  # a page that cannot be reset is not reused
            self.failure = repr(error)
            return False

    def close(self):
        try:
            self.context.close()
        except Exception:
            pass


class PagePool:
    """One test process's contexts (per server address: a module may serve its
    own forge); ``take`` hands out pages for one test, ``give_back`` resets them."""

    def __init__(self, browser, timeout_ms):
        self.browser = browser
        self.timeout_ms = timeout_ms
        self.free = {}              # base_url -> [Slot]
        self.taken = []
        self.own = []               # contexts of their own, closed after the test

    def take(self, base_url, own_context=False):
        """A page (with its guard) as a new context's would be."""
        if own_context:
            slot = Slot(self.browser, base_url, self.timeout_ms)
            self.own.append(slot)
            return slot
        free = self.free.setdefault(base_url, [])
        slot = free.pop() if free else Slot(self.browser, base_url, self.timeout_ms)
        self.taken.append(slot)
        return slot

    def give_back(self):
        taken, self.taken = self.taken, []
        for slot in taken:
            if slot.reset():
                self.free[slot.base_url].append(slot)
            else:
                slot.close()
        own, self.own = self.own, []
        for slot in own:
            slot.close()

    def close(self):
        self.give_back()
        for slots in self.free.values():
            for slot in slots:
                slot.close()
        self.free.clear()
