"""Live-event streams under ``forge serve``: a client that goes away gives its
stream slot back at once, and one client address cannot take every slot.

Each client connects from its own loopback address (127.0.0.x), as different
machines would.  The streams last longer than any test (so only the server
noticing a closed client can free a slot) and the bounds are generous.
"""
import socket
import struct
import time

import pytest

from .conftest import forge_env

pytestmark = pytest.mark.integration

EVENTS = "/p/demo/@@events"
SETTINGS = {"FORGE_EVENTS_MAX_STREAMS": "2", "FORGE_EVENTS_STREAM_SECONDS": "300",
            "FORGE_EVENTS_MAX_STREAMS_PER_ADDRESS": "1"}
FREED_WITHIN = 5.0          # seconds; the server notices a closed client well within


class Listener:
    """An SSE client on a raw socket, so that it can vanish abruptly."""

    def __init__(self, server_url, source):
        host, port = server_url.split("//")[1].rstrip("/").split(":")
        self.sock = socket.create_connection((host, int(port)), timeout=10,
                                             source_address=(source, 0))
        self.sock.sendall(("GET %s HTTP/1.1\r\nHost: %s:%s\r\nAccept: text/event-stream"
                           "\r\n\r\n" % (EVENTS, host, port)).encode())
        self.received = b""
        while b"\r\n\r\n" not in self.received:
            self._receive()
        self.status = int(self.received.split(b" ", 2)[1])
        if self.status == 200:
            while b"retry:" not in self.received:     # the stream has started
                self._receive()

    def _receive(self):
        chunk = self.sock.recv(4096)
        assert chunk, "the server closed the connection: %r" % self.received
        self.received += chunk

    def vanish(self, reset=False):
        """Go away without a word: a FIN, or a RST with ``reset``."""
        if reset:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.sock.close()


def stream_within(server_url, source, seconds):
    """A listener from ``source`` that got a stream (200) within ``seconds``."""
    deadline = time.monotonic() + seconds
    statuses = []
    while True:
        listener = Listener(server_url, source)
        statuses.append(listener.status)
        if listener.status == 200:
            return listener
        listener.vanish()
        assert time.monotonic() < deadline, "no stream within %ss: %s" % (seconds, statuses)
        time.sleep(0.2)


@pytest.fixture
def server(tmp_path, forge_serve):
    return forge_serve(tmp_path / "data", env=forge_env(**SETTINGS))


def test_clients_that_vanish_give_their_slots_back_at_once(server):
    for round_ in range(3):
        gone = [stream_within(server.url, "127.0.0.%d" % n, FREED_WITHIN) for n in (2, 3)]
        assert Listener(server.url, "127.0.0.4").status == 503      # every slot taken
        for n, listener in enumerate(gone):
            listener.vanish(reset=bool((n + round_) % 2))
        stream_within(server.url, "127.0.0.4", FREED_WITHIN).vanish()


def test_one_address_gets_its_share_and_another_still_gets_a_stream(server):
    first = Listener(server.url, "127.0.0.5")
    assert first.status == 200
    second = Listener(server.url, "127.0.0.5")
    assert second.status == 503
    assert b"Retry-After: " in second.received
    other = Listener(server.url, "127.0.0.6")
    assert other.status == 200
    for listener in (first, second, other):
        listener.vanish()
