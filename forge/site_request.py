"""A request for work done outside a web request (mail, webhooks, reactors).

Links in mail and in webhook bodies are absolute and node URLs are built by
the same resource tree as the pages, so such work runs inside a request on
``forge.base_url`` with the forge's root and request methods.
"""
import contextlib

from pyramid.request import Request
from pyramid.scripting import prepare


@contextlib.contextmanager
def site_request(registry):
    """A request on ``forge.base_url`` with the forge's root and request methods."""
    request = Request.blank("/", base_url=registry.settings["forge.base_url"].rstrip("/"))
    env = prepare(request=request, registry=registry)
    env["request"].root = env["root"]
    try:
        yield env["request"]
    finally:
        env["closer"]()
