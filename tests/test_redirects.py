"""Redirects: one builder (``forge.redirects``) percent-encodes every target
and keeps it on this site; the code is walked so that no view builds a
``Location`` by hand again."""
import ast
import pathlib

import pytest
from pyramid import httpexceptions
from pyramid.testing import DummyRequest

from forge.discussion.model import Post
from forge.model import session
from forge.redirects import redirect, safe_next, site_path
from forge.testing import ForgeBrowser, forge_test_settings

# the comment-thread fixtures: a project "demo" with a "topics" tool
from tests.discussion.conftest import FIXTURE_TOOL, TOPICS, make_topic, people  # noqa: F401

ROOT = pathlib.Path(__file__).resolve().parent.parent
FRONT = "http://localhost/"
HOSTILE = [
    "//evil.example/",
    "https://evil.example/",
    "http://evil.example/p/",
    "/\\evil.example/",
    "\\\\evil.example",
    "javascript:alert(1)",
    "/ok\r\nSet-Cookie: taken=1",
    "/\t/evil.example",
    "/ok\x85x",
    "p/relative",
    "/" + "x" * 9000,
]
ENCODED = [
    ("/。", "/%E3%80%82"),
    ("/p/demo/Grüße?q=ä b#post-1", "/p/demo/Gr%C3%BC%C3%9Fe?q=%C3%A4%20b#post-1"),
    ("/p/demo/?a=1&b=%2F", "/p/demo/?a=1&b=%2F"),
    ('/p/"><script>', "/p/%22%3E%3Cscript%3E"),
    ("http://localhost/p/demo/", "/p/demo/"),
]


@pytest.fixture
def forge_settings():
    return forge_test_settings(**{"forge.tools": FIXTURE_TOOL})


@pytest.mark.parametrize("value,path", ENCODED)
def test_same_site_targets_are_percent_encoded(value, path):
    request = DummyRequest()
    request.host_url = request.application_url = "http://localhost"
    assert site_path(request, value) == path
    assert safe_next(request, value) == path
    response = redirect(request, value)
    assert response.location == "http://localhost" + path


@pytest.mark.parametrize("value", HOSTILE + [None, "", 42])
def test_other_sites_and_bad_characters_fall_back(value):
    request = DummyRequest()
    request.host_url = request.application_url = "http://localhost"
    assert site_path(request, value) is None
    assert safe_next(request, value, "/home") == "/home"


@pytest.fixture
def browser(forge_app, people):  # noqa: F811
    def make(username=None):
        b = ForgeBrowser(forge_app)
        if username:
            b.login(username)
        return b
    return make


def login_with_next(b, next_value):
    page = b.get("/@@login")
    token = page.html.find("input", {"name": "csrf_token"})["value"]
    return b.post("/@@login", {"username": "mem", "password": "correct horse battery",
                               "next": next_value, "csrf_token": token}, status=302)


@pytest.mark.parametrize("value,path", ENCODED[:2])
def test_login_next_with_non_latin1_is_encoded(browser, value, path):
    response = login_with_next(browser(), value)
    assert response.location == "http://localhost" + path
    response.headers["Location"].encode("ascii")


@pytest.mark.parametrize("value", HOSTILE)
def test_login_next_to_another_site_goes_home(browser, value):
    assert login_with_next(browser(), value).location == FRONT


def test_login_page_from_the_forbidden_view_returns_there(browser):
    anonymous = browser()
    sent = anonymous.get("/@@account", status=302)
    assert sent.location.startswith(FRONT + "@@login?next=")
    form = anonymous.get(sent.location)
    token = form.html.find("input", {"name": "csrf_token"})["value"]
    next_value = form.html.find("input", {"name": "next"})["value"]
    back = anonymous.post("/@@login", {"username": "mem", "password": "correct horse battery",
                                       "next": next_value, "csrf_token": token}, status=302)
    assert back.location == FRONT + "@@account"


def held_post(browser, make_topic):  # noqa: F811
    make_topic("intro")
    browser("out").post_form(TOPICS + "intro/@@post", {"text": "Hold me"}, status=302)
    session.close()
    return Post.query.get(text="Hold me")


@pytest.mark.parametrize("value,path", ENCODED[:2])
def test_moderate_came_from_with_non_latin1_is_encoded(browser, make_topic, value, path):  # noqa: F811
    post = held_post(browser, make_topic)
    back = browser("dev").post_form(TOPICS + "intro/@@moderate", {
        "post_id": post._id, "decision": "approve", "came_from": value}, status=302)
    assert back.location == "http://localhost" + path


@pytest.mark.parametrize("value", HOSTILE)
def test_moderate_came_from_elsewhere_returns_to_the_post(browser, make_topic, value):  # noqa: F811
    post = held_post(browser, make_topic)
    back = browser("dev").post_form(TOPICS + "intro/@@moderate", {
        "post_id": post._id, "decision": "approve", "came_from": value}, status=302)
    assert back.location == "http://localhost%sintro/#post-%s" % (TOPICS, post._id)


# -- the code walk: only forge/redirects.py makes a redirect -------------------

REDIRECT_CLASSES = {name for name, value in vars(httpexceptions).items()
                    if isinstance(value, type)
                    and issubclass(value, httpexceptions.HTTPRedirection)}
BUILDER = ROOT / "forge" / "redirects.py"


def python_files():
    for package in ("forge", "tools"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if path != BUILDER:
                yield path


def header_reads(tree):
    """The string constants that only name a header being read
    (``answer.getheader("Location")``: a webhook receiver's redirect, reported)."""
    return {id(arg) for node in ast.walk(tree) if isinstance(node, ast.Call)
            and getattr(node.func, "attr", None) in ("getheader", "get")
            for arg in node.args[:1]}


def redirect_building(tree):
    """(line, what) for every way of making a redirect by hand in ``tree``."""
    found = []
    reads = header_reads(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in REDIRECT_CLASSES:
            found.append((node.lineno, node.id))
        elif isinstance(node, ast.Attribute) and node.attr in REDIRECT_CLASSES:
            found.append((node.lineno, node.attr))
        elif isinstance(node, ast.alias) and node.name.split(".")[-1] in REDIRECT_CLASSES:
            found.append((node.lineno, "import " + node.name))
        elif isinstance(node, ast.keyword) and node.arg == "location":
            found.append((node.value.lineno, "location="))
        elif isinstance(node, ast.Attribute) and node.attr == "location" and isinstance(
                node.ctx, ast.Store):
            found.append((node.lineno, ".location ="))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and \
                node.value.lower() == "location" and id(node) not in reads:
            found.append((node.lineno, repr(node.value)))
        elif isinstance(node, ast.Call) and getattr(node.func, "id", getattr(
                node.func, "attr", None)) == "exception_response" and node.args and \
                isinstance(node.args[0], ast.Constant) and 300 <= node.args[0].value < 400:
            found.append((node.lineno, "exception_response(3xx)"))
    return found


def test_only_the_builder_makes_redirects():
    assert {"HTTPFound", "HTTPSeeOther", "HTTPMovedPermanently"} <= REDIRECT_CLASSES
    offenders = []
    for path in python_files():
        for line, what in redirect_building(ast.parse(path.read_text(), str(path))):
            offenders.append("%s:%d %s" % (path.relative_to(ROOT), line, what))
    assert offenders == [], "build redirects with forge.redirects.redirect:\n" + \
        "\n".join(offenders)


def test_the_walk_finds_hand_made_redirects():
    # the walk itself must see each way of making one
    for source in ("from pyramid.httpexceptions import HTTPFound",
                   "import pyramid.httpexceptions as h\nh.HTTPSeeOther('/x')",
                   "Response(location='/x')",
                   "response.location = '/x'",
                   "response.headers['Location'] = '/x'",
                   "exception_response(302)",
                   "response.headers.update({'Location': '/x'})"):
        assert redirect_building(ast.parse(source)), source
    # reading a header someone else sent is not making one
    assert not redirect_building(ast.parse("answer.getheader('Location', '?')"))
