"""The page cache's fast path (``forge.page_cache_fast.FastPath``): anonymous hits
answered before the router runs the tweens, with the very answer the tweens
would give, and every other request left to the full chain."""
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from pymongo.errors import ServerSelectionTimeoutError
from pyramid.config import Configurator
from pyramid.events import NewResponse

from forge import page_cache
from forge.page_cache import HEADER
from forge.page_cache_fast import NEW_RESPONSE_IGNORING_200, FastPath, fast_path
from forge.resources import root_factory
from forge.testing import ForgeBrowser, forge_test_settings
from forge.testing_apps import reset_database

PAGE = "/p/demo/"


@pytest.fixture
def site(make_user, make_project):
    make_project("demo", make_user("ada"))


class ChainCounter:
    """Counts the requests the router's tween chain handles."""

    def __init__(self, app, monkeypatch):
        self.calls = 0
        chain = app.handle_request

        def counted(request):
            self.calls += 1
            return chain(request)
        monkeypatch.setattr(app, "handle_request", counted)


@pytest.fixture
def chain(forge_app, monkeypatch):
    return ChainCounter(forge_app, monkeypatch)


def answer(response):
    return response.status, response.headerlist, response.body


def test_the_forge_with_its_tools_keeps_the_fast_path_on(forge_app):
    """A tool's tween (tools.code's) sits under the page cache, so nothing
    unknown stands between the router and the cache."""
    settings = forge_test_settings(**{"forge.tools": "tools.code tools.wiki",
                                      "forge.load_tool_entry_points": "true"})
    reset_database(settings)
    with Configurator(settings=settings, root_factory=root_factory) as config:
        config.include("forge")
        config.include("forge.plugins.include_tools")
    app = config.make_wsgi_app()
    assert FastPath(app.registry).off is None
    assert FastPath(forge_app.registry).off is None


def test_a_hit_is_answered_without_the_tween_chain(forge_browser, site, chain):
    assert forge_browser.get(PAGE).headers[HEADER] == "miss"
    assert chain.calls == 1
    hit = forge_browser.get(PAGE)
    assert hit.headers[HEADER] == "hit" and "Demo" in hit.text
    assert chain.calls == 1


@pytest.mark.parametrize("headers", [
    {},
    {"If-None-Match": "ETAG"},                   # 304
    {"If-None-Match": '"another"'},
    {"Range": "bytes=0-9"},                      # 206
    {"Range": "bytes=999999-"},                  # 416
    {"If-Modified-Since": "Wed, 21 Oct 2015 07:28:00 GMT"},
    {"Accept": "text/html", "X-Requested-With": "XMLHttpRequest"},
])
def test_a_fast_hit_is_the_answer_of_a_hit_through_the_tweens(forge_browser, site, chain,
                                                              registry, monkeypatch, headers):
    etag = forge_browser.get(PAGE).headers["ETag"]
    headers = {name: value.replace("ETAG", etag) for name, value in headers.items()}
    forge_browser.get(PAGE, headers=headers, status="*")      # stored, for the Accept row
    calls = chain.calls
    fast = forge_browser.get(PAGE, headers=headers, status="*")
    assert chain.calls == calls                                # answered before the tweens
    monkeypatch.setattr(fast_path(registry), "off", "turned off by the test")
    slow = forge_browser.get(PAGE, headers=headers, status="*")
    assert chain.calls == calls + 1                            # through the tweens
    assert slow.headers[HEADER] == "hit" if slow.status_int != 416 else True
    assert answer(fast) == answer(slow)
    assert fast.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("method, path, headers, extra", [
    ("GET", PAGE, {"Cookie": "unrelated=1"}, {}),
    ("GET", PAGE, {"Cookie": ""}, {}),
    ("GET", PAGE, {"Authorization": "Bearer pf_nothing"}, {}),
    ("GET", PAGE + "?token=u1.abc", {}, {}),
    ("GET", PAGE + "?Access_Token=abc", {}, {}),
    ("HEAD", PAGE, {}, {}),
    ("GET", PAGE, {}, {"HTTP_HOST": "bad host\x01"}),
    ("GET", "/@@health", {}, {}),
])
def test_requests_the_anonymous_kind_would_not_answer_go_through_the_tweens(
        forge_browser, site, chain, method, path, headers, extra):
    # every one of these URLs has a stored page (or would, were it keyed)
    for _ in range(2):
        forge_browser.get(path.split("?")[0])
        forge_browser.get(path)
    calls = chain.calls
    forge_browser.app.request(path, method=method, headers=headers, environ=dict(extra),
                              expect_errors=True)
    assert chain.calls == calls + 1


def test_a_miss_looked_up_by_the_fast_path_is_not_looked_up_again(
        forge_browser, site, chain, monkeypatch):
    forge_browser.get(PAGE)
    reads = []
    real = page_cache.generations_now

    def counted():
        reads.append(1)
        return real()
    monkeypatch.setattr(page_cache, "generations_now", counted)
    monkeypatch.setattr(page_cache.CachedPage, "fresh", lambda page: False)   # depends_on moved
    response = forge_browser.get(PAGE)
    assert response.headers[HEADER] == "miss"
    assert len(reads) == 1


def test_a_database_error_in_the_look_up_is_the_exception_views_answer(
        forge_browser, site, monkeypatch):
    forge_browser.get(PAGE)
    reads = []

    def down():
        reads.append(1)
        if len(reads) == 1:
            raise ServerSelectionTimeoutError("127.0.0.1:27018: refused")
        return page_cache.current_generations(page_cache.session.db)
    monkeypatch.setattr(page_cache, "generations_now", down)
    response = forge_browser.get(PAGE, status="*")
    assert response.status_int == 503 and response.headers["Retry-After"].isdigit()
    assert len(reads) == 1          # read once, as without the fast path


def test_a_hit_is_counted_by_the_metrics(forge_app, forge_browser, site, chain):
    from forge.metrics import PAGE_CACHE
    forge_browser.get(PAGE)
    family = forge_app.registry.forge_metrics.latency
    before = family.labels(PAGE_CACHE, "GET", "2xx")._sum.get()
    count = [s for s in family.collect()[0].samples
             if s.name.endswith("_count") and s.labels["view"] == PAGE_CACHE]
    calls = chain.calls
    forge_browser.get(PAGE)
    assert chain.calls == calls
    after = [s for s in family.collect()[0].samples
             if s.name.endswith("_count") and s.labels["view"] == PAGE_CACHE]
    assert after[0].value == (count[0].value if count else 0) + 1
    assert family.labels(PAGE_CACHE, "GET", "2xx")._sum.get() > before


# -- what turns it off: anything above the cache whose effect it does not reproduce --

def app_with(extra):
    settings = forge_test_settings(**{"forge.load_tool_entry_points": "false"})
    reset_database(settings)
    with Configurator(settings=settings, root_factory=root_factory) as config:
        config.include("forge")
        extra(config)
    return config.make_wsgi_app()


def stamp_tween_factory(handler, registry):
    def stamp_tween(request):
        response = handler(request)
        response.headers["X-Stamp"] = "stamped"
        return response
    return stamp_tween


def stamp(event):
    event.response.headers["X-Stamp"] = "stamped"


@pytest.mark.parametrize("extra, reason", [
    (lambda config: config.add_tween(__name__ + ".stamp_tween_factory",
                                     over="forge.page_cache.page_cache_tween_factory"),
     "stamp_tween_factory"),
    (lambda config: config.add_subscriber(stamp, NewResponse), "stamp"),
])
def test_an_unknown_tween_or_subscriber_above_the_cache_turns_it_off(extra, reason):
    from forge.actions.projects import create_project
    from forge.actions.users import create_user
    from forge.model import Neighborhood
    app = app_with(extra)
    assert reason in FastPath(app.registry).off
    ada = create_user(app.registry, "ada", "ada@example.test", "a-password-1234")
    create_project(app.registry, Neighborhood.query.get(name="p"), "demo", "Demo", ada)
    browser = ForgeBrowser(app)
    browser.get(PAGE)
    hit = browser.get(PAGE)
    assert hit.headers[HEADER] == "hit" and hit.headers["X-Stamp"] == "stamped"


def test_the_rate_limits_subscriber_leaves_a_stored_page_alone():
    """``NEW_RESPONSE_IGNORING_200`` names it: it must act on 429s only."""
    from pyramid.response import Response
    from pyramid.testing import DummyRequest

    from forge.rate_limits import retry_after
    assert "forge.rate_limits.retry_after" in NEW_RESPONSE_IGNORING_200
    response = Response(body=b"page")
    headers = list(response.headerlist)
    request = DummyRequest()
    request.user = object()             # would make it look up counters on a 429
    retry_after(NewResponse(request, response))
    assert response.headerlist == headers


def test_embedded_the_fast_path_answers_the_forge_s_pages_only(monkeypatch):
    """In a host application (``forge.embedding``): hits under the forge's
    mount are answered before the tweens, the host's own pages never are."""
    import webtest

    from forge.actions.projects import create_project
    from forge.actions.users import create_user
    from forge.model import Neighborhood

    from forge.testing import forge_test_settings
    from forge.testing_apps import fresh_app

    from .test_embedding import make_host_app
    app = fresh_app(forge_test_settings(**{"forge.load_tool_entry_points": "false"}),
                    make=make_host_app)
    assert fast_path(app.registry).off is None
    ada = create_user(app.registry, "ada", "ada@example.test", "a-password-1234")
    create_project(app.registry, Neighborhood.query.get(name="p"), "open", "Open", ada)
    chain = ChainCounter(app, monkeypatch)
    browser = webtest.TestApp(app)
    assert browser.get("/forge/p/open/").headers[HEADER] == "miss"
    calls = chain.calls
    hit = browser.get("/forge/p/open/")
    assert hit.headers[HEADER] == "hit" and chain.calls == calls
    for _ in range(2):
        home = browser.get("/")
        assert HEADER not in home.headers and "X-Frame-Options" not in home.headers
    assert chain.calls == calls + 2


# -- the fast path's keys: cache_key's, remembered by what it reads ---------------

CHOICES = {
    "REQUEST_METHOD": ["GET", "HEAD", "POST"],
    "wsgi.url_scheme": ["http", "https"],
    "SERVER_NAME": ["localhost", "forge.example"],
    "SERVER_PORT": ["80", "443", "8080"],
    "SCRIPT_NAME": ["", "/forge", "/a b"],
    "PATH_INFO": ["/", PAGE, "/p/demo", "/p/d\u00e9mo/", "/p/\u00c3\u00a9/", "/p/\u00ff/",
                  "/a b/", "/@@health"],
    "QUERY_STRING": ["", "q=1", "q=1&page=2", "token=u1.x", "x=1&Key=2", "q=%20a"],
    # optional (None: not sent)
    "HTTP_HOST": [None, "localhost", "localhost:80", "forge.example:8080", "[::1]:443"],
    "HTTP_ACCEPT": [None, "text/html", "application/json", "*/*"],
    "HTTP_X_REQUESTED_WITH": [None, "XMLHttpRequest"],
    "HTTP_COOKIE": [None, "a=1"],
    "HTTP_AUTHORIZATION": [None, "Bearer x"],
    "HTTP_USER_AGENT": [None, "one", "two"],          # no part of a key
}
environs = st.fixed_dictionaries({name: st.sampled_from(values)
                                  for name, values in CHOICES.items()})


def full_chain_key(registry, environ):
    from pyramid.request import Request
    request = Request(dict(environ))
    request.registry = registry
    try:
        return page_cache.cache_key(request) if page_cache.in_forge(request) else None
    except UnicodeDecodeError:
        return None


def sent(environ):
    return {name: value for name, value in environ.items() if value is not None}


@settings(max_examples=400, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=environs, changed=st.sampled_from(sorted(CHOICES)), data=st.data())
def test_the_fast_path_key_is_cache_key_for_every_request(registry, first, changed, data):
    """Two requests that differ in one thing: each gets the full chain's key,
    whichever came first (the fast path remembers keys)."""
    second = dict(first, **{changed: data.draw(st.sampled_from(CHOICES[changed]))})
    fast = FastPath(registry)
    for environ in (first, second, first):
        assert fast.key(sent(environ)) == full_chain_key(registry, sent(environ))


BASE = {"REQUEST_METHOD": "GET", "wsgi.url_scheme": "http", "SERVER_NAME": "localhost",
        "SERVER_PORT": "80", "SCRIPT_NAME": "", "PATH_INFO": PAGE, "QUERY_STRING": ""}


@pytest.mark.parametrize("changed, value", [
    (name, value) for name, values in sorted(CHOICES.items()) for value in values
    if BASE.get(name) != value])
def test_a_request_that_differs_in_one_thing_never_takes_another_s_key(
        registry, changed, value):
    fast = FastPath(registry)
    other = sent(dict(BASE, **{changed: value}))
    assert fast.key(dict(BASE)) == full_chain_key(registry, BASE) is not None
    assert fast.key(other) == full_chain_key(registry, other)
