"""``forge serve`` refuses a body over its limit before reading it, and bad
bodies leave nothing of themselves in the server's output (its log)."""
import socket
import time
import urllib.parse

import pytest

pytestmark = pytest.mark.integration

HUGE = 200 * 1024 * 1024
ANSWER_WITHIN = 5


def exchange(url, head, body, read_timeout=30):
    """Send ``head`` and ``body`` on a fresh connection; read until the server
    closes it. Returns (response bytes, seconds from the last byte sent)."""
    parts = urllib.parse.urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=read_timeout) as conn:
        conn.sendall(head + body)
        sent = time.monotonic()
        received = b""
        while True:
            chunk = conn.recv(65536)
            if not chunk:                # the server closed the connection
                break
            received += chunk
        return received, time.monotonic() - sent


def request_head(path, content_type, length):
    return ("POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: %s\r\n"
            "Content-Length: %d\r\nConnection: close\r\n\r\n" % (path, content_type, length)
            ).encode("latin-1")


def test_bodies_over_the_limits_are_refused(tmp_path, forge_serve):
    server = forge_serve(tmp_path / "data", args=("--no-demo",))

    # 200 MiB announced, 1 KiB sent: the 413 comes at once and the connection
    # is closed; the server never waits for the rest
    head = request_head("/@@login", "application/x-www-form-urlencoded", HUGE)
    response, seconds = exchange(server.url, head, b"a=" + b"x" * 1024)
    assert response.startswith(b"HTTP/1.1 413"), response[:300]
    assert b"max_body" in response
    assert seconds < ANSWER_WITHIN

    # an upload may be bigger than a form: a 2 MiB form (under the server's
    # limit) gets the forge's own 413 with the form limit in it
    form = b"a=" + b"x" * (2 * 1024 * 1024)
    head = request_head("/@@login", "application/x-www-form-urlencoded", len(form))
    response, seconds = exchange(server.url, head, form)
    assert response.startswith(b"HTTP/1.1 413"), response[:300]
    assert b"larger than the limit of 1024 KiB" in response

    # a multipart body with a 5,000-character boundary: a 400 with a message,
    # and neither the boundary nor the fields reach the log
    marker = b"zq7marker"
    boundary = b"q" * 5000
    body = (b"--" + boundary + b'\r\nContent-Disposition: form-data; name="username"\r\n\r\n'
            + marker + b"\r\n--" + boundary + b"--\r\n")
    head = request_head("/@@login", "multipart/form-data; boundary=" + boundary.decode(),
                        len(body))
    response, seconds = exchange(server.url, head, body)
    assert response.startswith(b"HTTP/1.1 400"), response[:300]
    assert b"multipart boundary" in response
    assert marker not in response and b"q" * 100 not in response

    time.sleep(0.5)       # let the server flush what it logs
    output = server.output()
    assert marker.decode() not in output and "q" * 100 not in output
