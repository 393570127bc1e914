"""Where a webhook may send: the SSRF rule.

A hook's URL is ``http`` or ``https`` with a host name or address and no user
name or password.  At registration a literal address is checked; at each
delivery the host name is resolved and *every* address it resolves to is
checked, and the connection goes to the address that was checked (never a
second resolution a DNS answer could change in between).  Loopback, private,
link-local, shared, multicast, reserved and unspecified addresses are refused
unless ``forge.webhooks.allow_private`` is true.
"""
import ipaddress
import socket
from urllib.parse import urlsplit

MAX_URL = 2000


class AddressRefused(ValueError):
    """The URL may not be called; the message says why."""


def parse_url(url):
    """``(scheme, host, port, path with query)`` of a well-formed hook URL, else
    ``AddressRefused``."""
    url = (url or "").strip()
    if not url or len(url) > MAX_URL or any(c.isspace() or ord(c) < 32 for c in url):
        raise AddressRefused("Give the hook's URL (http:// or https://, at most %d "
                             "characters, no spaces)." % MAX_URL)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise AddressRefused("The URL is not valid (its port?).")
    if parts.scheme not in ("http", "https"):
        raise AddressRefused("The URL must start with http:// or https://.")
    if not parts.hostname:
        raise AddressRefused("The URL has no host.")
    if parts.username is not None or parts.password is not None:
        raise AddressRefused("Put no user name or password in the URL: receivers check "
                             "the signature instead.")
    port = port or (443 if parts.scheme == "https" else 80)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    return parts.scheme, parts.hostname, port, target


def is_public(address):
    """Whether ``address`` (an ``ipaddress`` object) is on the public Internet."""
    if address.version == 6 and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not (address.is_multicast or address.is_reserved)


def literal_address(host):
    try:
        return ipaddress.ip_address(host.strip("[]").split("%")[0])
    except ValueError:
        return None


def check_url(url, allow_private):
    """What registration checks: the URL's form, and a literal address."""
    scheme, host, port, target = parse_url(url)
    address = literal_address(host)
    if address is not None and not allow_private and not is_public(address):
        raise AddressRefused("The URL names a private, loopback or link-local address; "
                             "webhooks go to public addresses only.")
    if host.lower() in ("localhost", "localhost.localdomain") and not allow_private:
        raise AddressRefused("The URL names this machine; webhooks go to public "
                             "addresses only.")
    return url.strip()


def resolve(host, port, allow_private):
    """The address to connect to: every address ``host`` resolves to is checked,
    the first is used.  ``AddressRefused`` when any is not allowed."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise AddressRefused("The host %s does not resolve (%s)." % (host, error))
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    if not addresses:
        raise AddressRefused("The host %s has no address." % host)
    if not allow_private:
        refused = [a for a in addresses if not is_public(a)]
        if refused:
            raise AddressRefused("The host %s resolves to %s, which is not a public "
                                 "address; not sent." % (host, refused[0]))
    return str(addresses[0])
