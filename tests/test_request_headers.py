"""The Cookie header is cleaned before anything parses it (issue 10: a long
run of name characters without ``=`` made WebOb's parser quadratic: about
two seconds of CPU for 8 KB, in every request)."""
import pytest

from forge.request_headers import MAX_COOKIE_HEADER, well_formed_cookies


@pytest.mark.parametrize("header, kept", [
    ("forge_session=s1.abc_-x", "forge_session=s1.abc_-x"),
    ("a=1; b=\"two\"", "a=1; b=\"two\""),
    ("a" * 9000, ""),                                # the quadratic case: no "="
    ("x=1; " + "a" * 9000, "x=1"),
    ("a=b " + "c" * 9000, ""),                       # whitespace inside a value
    ("a=b, c=d", ""),
    ("=nameless; ok=1", "ok=1"),
    ("%s=1; ok=2" % ("n" * 300), "ok=2"),            # a name over 256 characters
    ("ok=1;;; ; also=2", "ok=1; also=2"),
])
def test_only_rfc6265_pairs_are_kept(header, kept):
    assert well_formed_cookies(header) == kept


def test_what_the_tweens_below_see_is_the_cleaned_header():
    """The guard is the topmost tween: the page cache and the security policy
    under it read only the cleaned header."""
    from pyramid.request import Request

    from forge.request_headers import cookie_guard_tween_factory
    seen = []

    def below(request):
        seen.append((request.environ["HTTP_COOKIE"], dict(request.cookies)))

    guard = cookie_guard_tween_factory(below, None)
    guard(Request.blank("/", headers={"Cookie": "keep=1; " + "a" * 9000}))
    assert seen == [("keep=1", {"keep": "1"})]


def test_the_guard_is_the_topmost_tween(forge_app):
    from pyramid.interfaces import ITweens
    names = [name for name, _factory in forge_app.registry.getUtility(ITweens).implicit()]
    assert names[0] == "forge.request_headers.cookie_guard_tween_factory"


def test_a_signed_in_reader_stays_signed_in_with_junk_beside_the_cookie(
        forge_browser, make_user):
    make_user("ada")
    forge_browser.login("ada")
    session = forge_browser.cookies["forge_session"]
    page = forge_browser.get("/@@account", headers={
        "Cookie": "forge_session=%s; %s" % (session, "junk " * 1500)})
    assert page.status_int == 200 and "ada" in page.text


def test_an_oversized_cookie_header_is_431_with_a_message(forge_browser):
    response = forge_browser.get("/", headers={"Cookie": "a=" + "b" * MAX_COOKIE_HEADER},
                                 status="*")
    assert response.status_int == 431
    assert "Cookie header is larger than" in response.text


@pytest.mark.parametrize("path", ["/%ff/", "/p/%ff%fe/", "/p/demo/code.git/%ff"])
def test_a_path_that_is_not_utf8_is_400_whichever_tween_reads_it(path):
    """A tool's tween (the code tool's reads the path) sits under the exception
    view tween: decoding the path there is the forge's 400 page, not a 500."""
    from forge.testing import ForgeBrowser, forge_test_settings
    from forge.testing_apps import fresh_app
    browser = ForgeBrowser(fresh_app(forge_test_settings(**{"forge.tools": "tools.code"})))
    response = browser.get(path, status="*")
    assert response.status_int == 400
    assert "Bad request" in response.text


@pytest.mark.parametrize("host", ["\x0c\u2028", "a b", "evil.example\r\nX: y", "a/b", ""])
def test_a_host_header_that_is_not_a_host_name_is_400(forge_browser, host):
    """Found by the fuzz test: a Host with a control character made an invalid
    Location header (a 500 under a strict server)."""
    response = forge_browser.get("/u/@@moderation", headers={"Host": host}, status="*")
    assert response.status_int == 400
    assert "not a host name" in response.text


@pytest.mark.parametrize("host", ["localhost", "localhost:80", "forge.example.org:8443",
                                  "127.0.0.1:6543", "[::1]:6543"])
def test_real_host_names_pass(forge_browser, host):
    assert forge_browser.get("/", headers={"Host": host}).status_int == 200
