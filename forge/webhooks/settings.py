"""The webhooks' settings (``forge.webhooks.*``), parsed once like the core's:
INI values over the defaults, ``FORGE_WEBHOOKS_*`` environment variables over both."""
import os

from pyramid.settings import asbool

DEFAULTS = {
    # private, loopback and link-local addresses are refused unless this is true
    # (a forge on an intranet, or tests with their own receiver)
    "forge.webhooks.allow_private": (False, asbool),
    "forge.webhooks.timeout_seconds": (10.0, float),
    "forge.webhooks.max_response_bytes": (4096, int),   # kept for the delivery log
}


def webhook_settings(settings, environ=None):
    environ = os.environ if environ is None else environ
    parsed = {}
    for key, (default, parse) in DEFAULTS.items():
        value = environ.get(key.upper().replace(".", "_"), settings.get(key, default))
        parsed[key] = parse(value) if isinstance(value, str) else value
    return parsed
