"""The Host and Cookie headers, made safe before anything reads them.

A Host that is not a host name is a 400 (the forge builds links, feed ids and
redirects on it).

WebOb's cookie parser takes time that grows with the square of a run of
name characters that is never followed by ``=``: an 8 KB header of them
costs about two seconds of CPU, and waitress accepts headers up to 256 KB.
Every request reads its cookies (the page cache and the security policy look
for the session cookie), so the topmost tween rewrites the header before any
of them does: it keeps only ``name=value`` pairs as RFC 6265 writes them
(a token of at most ``MAX_NAME`` characters, a value without whitespace,
commas or semicolons), which the parser reads in linear time, and refuses a header longer than
``MAX_COOKIE_HEADER`` (browsers send at most a few KB to one site).
"""
import re

from pyramid.httpexceptions import HTTPBadRequest, HTTPRequestHeaderFieldsTooLarge
from pyramid.tweens import INGRESS

MAX_COOKIE_HEADER = 16 * 1024
# a DNS name, an IPv4 address or a bracketed IPv6 literal, with an optional port
_HOST = re.compile(r"(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+)(?::[0-9]{1,5})?")
MAX_NAME = 256
# RFC 6265: cookie-name is an RFC 7230 token; cookie-value is cookie-octets,
# optionally in double quotes (no whitespace, comma, semicolon, backslash, quote)
_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]{1," + str(MAX_NAME) + "}")
_VALUE = re.compile(r'[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]*'
                    r'|"[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]*"')


def well_formed_cookies(header):
    """``header`` with every fragment that is not ``name=value`` (RFC 6265) left out."""
    kept = []
    for fragment in header.split(";"):
        name, equals, value = fragment.strip().partition("=")
        if equals and _NAME.fullmatch(name) and _VALUE.fullmatch(value):
            kept.append(fragment.strip())
    return "; ".join(kept)


def host_is_valid(environ):
    """Whether the Host header is absent or a host name (else the guard's 400)."""
    host = environ.get("HTTP_HOST")
    return host is None or _HOST.fullmatch(host) is not None


def cookie_guard_tween_factory(handler, registry):
    def cookie_guard_tween(request):
        if not host_is_valid(request.environ):
            # links, feeds and redirects are built on it: a control character or a
            # line separator there would make an invalid header (a 500)
            return HTTPBadRequest("The Host header is not a host name.")
        header = request.environ.get("HTTP_COOKIE")
        if header:
            if len(header) > MAX_COOKIE_HEADER:
                return HTTPRequestHeaderFieldsTooLarge(
                    "The Cookie header is larger than %d KiB; clear this site's cookies."
                    % (MAX_COOKIE_HEADER // 1024))
            cleaned = well_formed_cookies(header)
            if cleaned != header:
                request.environ["HTTP_COOKIE"] = cleaned
        return handler(request)

    return cookie_guard_tween


def includeme(config):
    config.add_tween("forge.request_headers.cookie_guard_tween_factory", under=INGRESS)
