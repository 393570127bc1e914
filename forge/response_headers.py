"""Security headers on every answer of the forge.

* ``X-Frame-Options: DENY`` and, where the answer has no Content-Security-Policy
  of its own, ``Content-Security-Policy: frame-ancestors 'none'``: no other
  site may frame a forge page (a framed sign-in or settings page is the ground
  for clickjacking);
* ``X-Content-Type-Options: nosniff``: a browser takes the declared type;
* ``Referrer-Policy: same-origin``: addresses of private pages do not leave
  the site in the Referer of a followed link.

An answer that set one of these itself keeps it (attachments and raw files
send a sandboxing CSP).  The tween sits just under the cookie guard, above the
exception views and the page cache, so error pages and stored pages get the
headers too; embedded in a host, only the forge's own answers get them.
"""
from .scope import in_forge

SECURITY_HEADERS = (
    ("X-Frame-Options", "DENY"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("Content-Security-Policy", "frame-ancestors 'none'"),
)


def add_security_headers(response):
    """The headers above, where the answer has none of its own (the page
    cache's fast path adds them to stored pages with this too)."""
    for name, value in SECURITY_HEADERS:
        if name not in response.headers:
            response.headers[name] = value


def security_headers_tween_factory(handler, registry):
    def security_headers_tween(request):
        response = handler(request)
        try:
            ours = in_forge(request)
        except UnicodeDecodeError:      # a path that is not UTF-8: the forge's 400
            ours = True
        if ours:
            add_security_headers(response)
        return response

    return security_headers_tween


def includeme(config):
    config.add_tween("forge.response_headers.security_headers_tween_factory",
                     under="forge.request_headers.cookie_guard_tween_factory")
