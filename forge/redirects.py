"""Every redirect the forge answers, built in one place.

A ``Location`` header is written by the server as Latin-1 and read by
browsers as a URL, so a target that came (even partly) from the request —
a ``next`` or ``came_from`` field, a page name — must be percent-encoded and
must stay on this site. Views never build a redirect themselves::

    from forge.redirects import redirect, safe_next
    return redirect(request, request.forge_url(context, "@@edit"))
    return redirect(request, safe_next(request, request.POST.get("came_from")),
                    headers=remember(request, user_id))

``tests/test_redirects.py`` walks the code to keep it so.
"""
from urllib.parse import quote, urlsplit

from pyramid.httpexceptions import HTTPFound

MAX_TARGET = 8000
# what a URL may carry as it is (RFC 3986 reserved and unreserved characters,
# and '%' of escapes already made); everything else is percent-encoded
_URL_SAFE = "!#$%&'()*+,/:;=?@[]~"


def _encoded(value):
    return quote(value, safe=_URL_SAFE)


def _has_control_or_backslash(value):
    # browsers drop tabs and newlines inside URLs ("/\t/evil" is "//evil") and
    # read "\" as "/" ("/\evil" is "//evil"); a CR or LF would split the header
    return any(ord(c) < 32 or c in "\x7f\\" or 0x80 <= ord(c) < 0xa0 for c in value)


def site_path(request, value):
    """``value`` as a percent-encoded path (with query and fragment) on this
    site, or None when it is not one.

    Accepted: a path starting with one ``/`` ('/p/demo/?q=x'), or an absolute
    URL of this very site (what ``forge_url`` and the forbidden view make),
    reduced to its path. Refused: other hosts and schemes ('https://evil',
    '//evil', '/\\evil'), control characters, backslashes, over-long values.
    """
    if not isinstance(value, str) or not value or len(value) > MAX_TARGET:
        return None
    if _has_control_or_backslash(value):
        return None
    here = request.host_url
    if value.startswith(here + "/"):
        value = value[len(here):]
    if not value.startswith("/") or value.startswith("//"):
        return None
    encoded = _encoded(value)
    parts = urlsplit(encoded)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    return encoded


def safe_next(request, value, default=None):
    """The same-site path ``value`` names (percent-encoded), else ``default``:
    for the targets a form or a query string chooses (``next``, ``came_from``)."""
    path = site_path(request, value)
    return default if path is None else path


def redirect(request, target, headers=None):
    """A 302 to ``target`` (a URL of this site or a path on it); to the site's
    front page when ``target`` is not one. ``headers`` are added (e.g. the
    ``Set-Cookie`` of ``remember``)."""
    path = site_path(request, target)
    if path is None:
        path = site_path(request, front_page(request)) or "/"
    return HTTPFound(location=request.host_url + path, headers=headers)


def front_page(request):
    # the root is unknown on a request that failed before traversal
    root = getattr(request, "root", None)
    return request.forge_url(root) if root is not None else request.application_url + "/"


def created_at(request, response, target):
    """Name where a new resource lives (``Location`` of a 201 Created): the same
    check as a redirect's target, since a client may follow it."""
    path = site_path(request, target)
    if path is None:
        raise ValueError("not a URL of this site: %r" % (target,))
    response.headers["Location"] = request.host_url + path
    return response
