"""The bus's AMQP socket reads ahead (forge.bus.socket_io): the frames of
the messages the broker sent together come out of one ``recv``; a read that
times out keeps what it had; connections to amqp:// use it, memory:// not."""
import socket
import struct

import pytest

from forge.bus import amqp
from forge.bus.socket_io import ReadAheadTCPTransport, ReadAheadTransport


def frame(kind, payload):
    return struct.pack(">BHI", kind, 1, len(payload)) + payload + b"\xce"


class Socket:
    """Hands out the bytes it holds, up to what each ``recv`` asks; then
    times out, as a socket with a timeout does."""

    def __init__(self, data):
        self.data, self.calls = data, 0

    def recv(self, n):
        self.calls += 1
        if not self.data:
            raise socket.timeout()
        taken, self.data = self.data[:n], self.data[n:]
        return taken


def transport(data):
    made = ReadAheadTCPTransport("127.0.0.1:5672", connect_timeout=1)
    made._read_buffer = b""
    made._quick_recv = Socket(data).recv
    return made, made._quick_recv.__self__


def test_the_frames_of_many_messages_come_from_one_recv():
    frames = [frame(1, b"method %d" % i) for i in range(30)]
    reader, sock = transport(b"".join(frames))
    assert [reader.read_frame()[2] for _ in frames] == [b"method %d" % i for i in range(30)]
    assert sock.calls == 1              # py-amqp's own _read: three a frame, 90


def test_a_frame_cut_by_a_timeout_is_read_whole_later():
    whole = frame(3, b"x" * 100)
    reader, sock = transport(whole[:50])
    with pytest.raises(socket.timeout):
        reader.read_frame()
    sock.data = whole[50:]
    assert reader.read_frame()[2] == b"x" * 100


def test_amqp_connections_read_ahead_and_memory_ones_are_kombus():
    assert amqp.connection({"forge.bus.url": "amqp://guest:guest@127.0.0.1:1//"}) \
        .get_transport_cls() is ReadAheadTransport
    assert amqp.connection({"forge.bus.url": "memory://"}).get_transport_cls() \
        is not ReadAheadTransport
    assert amqp.connection({"forge.bus.url": "amqp://guest:guest@127.0.0.1:1//"}) \
        .as_uri() == "amqp://guest:**@127.0.0.1:1//"
