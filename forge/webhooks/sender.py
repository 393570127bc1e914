"""One HTTP POST of a webhook body, to an address checked first
(``forge.webhooks.addresses``), with a time-out, following no redirect."""
import http.client
import socket
import ssl
import time
from dataclasses import dataclass

from .addresses import AddressRefused, parse_url, resolve

USER_AGENT = "PyForge-Webhooks/1"


@dataclass
class Outcome:
    status: object          # the HTTP status, or None when no answer came
    error: str              # empty when delivered
    seconds: float
    response: str = ""      # the start of the answer's body, for the log

    @property
    def delivered(self):
        return not self.error


class PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to ``address`` while naming ``host`` (the Host header)."""

    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self):
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class PinnedHTTPSConnection(http.client.HTTPSConnection):
    """TLS to ``address``, the certificate checked against ``host`` (SNI too)."""

    def __init__(self, host, port, address, timeout):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.address = address

    def connect(self):
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post(url, body, headers, settings):
    """POST ``body`` (bytes) to ``url``; an ``Outcome`` (never raises for what
    the network or the receiver does)."""
    started = time.monotonic()

    def outcome(status, error, response=""):
        return Outcome(status, error, round(time.monotonic() - started, 3), response)

    try:
        scheme, host, port, target = parse_url(url)
        address = resolve(host, port, settings["forge.webhooks.allow_private"])
    except AddressRefused as refused:
        return outcome(None, str(refused))
    connection_class = PinnedHTTPSConnection if scheme == "https" else PinnedHTTPConnection
    connection = connection_class(host, port, address, settings["forge.webhooks.timeout_seconds"])
    try:
        connection.request("POST", target, body=body, headers=dict(
            headers, **{"Content-Type": "application/json", "User-Agent": USER_AGENT,
                        "Content-Length": str(len(body))}))
        answer = connection.getresponse()
        text = answer.read(settings["forge.webhooks.max_response_bytes"]) \
            .decode("utf-8", "replace")
    except socket.timeout:
        return outcome(None, "No answer within %g seconds."
                       % settings["forge.webhooks.timeout_seconds"])
    except (OSError, http.client.HTTPException) as error:
        return outcome(None, "Not delivered: %s" % (str(error) or type(error).__name__))
    finally:
        connection.close()
    if 200 <= answer.status < 300:
        return outcome(answer.status, "", text)
    if 300 <= answer.status < 400:
        # never followed: a redirect could lead anywhere, a private address included
        return outcome(answer.status, "The receiver answered with a redirect (to %s); "
                       "redirects are not followed." % answer.getheader("Location", "?"), text)
    return outcome(answer.status, "The receiver answered HTTP %d." % answer.status, text)
