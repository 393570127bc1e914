"""Settings of mail in (``forge.mail_in.*``), parsed once like the core's.

They live here rather than in ``forge.settings.DEFAULTS`` so that the part
keeps its own table; the same environment overrides apply
(``forge.mail_in.domain`` -> ``FORGE_MAIL_IN_DOMAIN``).
"""
import os

from pyramid.exceptions import ConfigurationError
from pyramid.settings import asbool

from ..settings import env_name

DEFAULTS = {
    # the domain of every address the forge receives mail for; empty: no mail in
    # (notifications then carry no Reply-To)
    "forge.mail_in.domain": ("", str),
    # host:port the inbound server listens on (forge mail-in; forge serve when set)
    "forge.mail_in.listen": ("", str),
    # speak LMTP (behind Postfix or Exim) instead of SMTP
    "forge.mail_in.lmtp": (False, asbool),
    # a message larger than this is refused while it is received (552)
    "forge.mail_in.max_bytes": (25 * 1024 * 1024, int),
    # recipients of one message; more are answered 452 (the client sends them later)
    "forge.mail_in.max_recipients": (10, int),
    # messages one sender may have applied per window (then 451, try later)
    "forge.mail_in.max_per_sender": (60, int),
    "forge.mail_in.sender_window_seconds": (3600, int),
    # worker threads that apply messages (database work) for the server
    "forge.mail_in.threads": (2, int),
    # InboundMail records and their raw messages are deleted after this many days
    # (the mail-in server prunes about once an hour; 0 keeps them for ever)
    "forge.mail_in.keep_days": (90, int),
}


def parse_mail_in_settings(settings, environ=None):
    """Merge the defaults and environment overrides into ``settings`` (in place)."""
    environ = os.environ if environ is None else environ
    for key, (default, parse) in DEFAULTS.items():
        value = environ.get(env_name(key), settings.get(key, default))
        try:
            settings[key] = parse(value) if isinstance(value, str) and parse is not str \
                else value
        except ValueError:
            raise ConfigurationError("%s: %r is not a valid value" % (key, value))
    settings["forge.mail_in.domain"] = settings["forge.mail_in.domain"].strip().lower()
    return settings


def parse_listen(value):
    """``host:port`` (``[::1]:2525`` for IPv6) -> (host, port); ConfigurationError if bad."""
    host, sep, port = (value or "").strip().rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or not 1 <= int(port) <= 65535:
        raise ConfigurationError(
            "forge.mail_in.listen must be host:port (like 127.0.0.1:2525), not %r" % value)
    return host, int(port)
