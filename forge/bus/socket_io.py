"""Fewer system calls on the AMQP socket: it reads ahead.

py-amqp reads a frame in three ``recv`` calls of exactly the bytes it needs
(header, payload, end octet), so a delivered message (three frames) costs
nine system calls.  On this bus a worker handles each event once per
reactor: measured on the 2-core machine (``forge.activity`` consuming 2,000
queued events, alternating), a worker thread spent ~0.17 ms CPU per message,
~0.13 with reads ahead.  ``BusConnection`` (a kombu ``Connection``) uses on
``amqp://`` the transport ``ReadAheadTransport``, which asks the socket for
up to ``READ_AHEAD`` bytes and keeps what it did not use for the next
frames: one ``recv`` for all the messages the broker sent at once.  Nothing
else changes: py-amqp looks in its buffer before it reads the socket, and a
read that times out keeps what it had (as before).

(Publishing a batch with one ``sendall`` instead of one per message was
measured too: no difference in the relay's CPU, so it is not done.)
"""
import errno
import socket

from amqp.transport import TCPTransport
from kombu import Connection
from kombu.transport import pyamqp

READ_AHEAD = 65536


class ReadAheadTCPTransport(TCPTransport):
    def _read(self, n, initial=False, _errnos=(errno.EAGAIN, errno.EINTR)):
        """Exactly ``n`` bytes, from what was read ahead first (py-amqp's
        ``_read`` with a larger ``recv``)."""
        recv = self._quick_recv
        rbuf = self._read_buffer
        try:
            while len(rbuf) < n:
                try:
                    s = recv(max(n - len(rbuf), READ_AHEAD))
                except OSError as exc:
                    if exc.errno in _errnos:
                        if initial and self.raise_on_initial_eintr:
                            raise socket.timeout()
                        continue
                    raise
                if not s:
                    raise OSError("Server unexpectedly closed connection")
                rbuf += s
        except:  # noqa: E722  (as py-amqp: keep what was read, whatever stopped it)
            self._read_buffer = rbuf
            raise
        result, self._read_buffer = rbuf[:n], rbuf[n:]
        return result


class ReadAheadConnection(pyamqp.Connection):
    def Transport(self, host, connect_timeout, ssl=False, read_timeout=None,
                  write_timeout=None, socket_settings=None, **kwargs):
        if ssl:
            return super().Transport(host, connect_timeout, ssl, read_timeout,
                                     write_timeout, socket_settings, **kwargs)
        return ReadAheadTCPTransport(host, connect_timeout=connect_timeout,
                                     read_timeout=read_timeout, write_timeout=write_timeout,
                                     socket_settings=socket_settings, **kwargs)


class ReadAheadTransport(pyamqp.Transport):
    """kombu's ``amqp://`` transport on ``ReadAheadConnection``."""

    Connection = ReadAheadConnection


class BusConnection(Connection):
    """A kombu ``Connection`` whose ``amqp://`` transport reads ahead (the
    URL and everything else as kombu has them)."""

    def get_transport_cls(self):
        if self.transport_cls in ("amqp", "pyamqp"):
            return ReadAheadTransport
        return super().get_transport_cls()


def read_ahead_empty(connection):
    """The kombu ``connection`` reads ahead and holds no frame not yet
    handled (False when it does not read ahead: ``memory://``, ``amqps://``)."""
    transport = getattr(getattr(connection, "connection", None), "transport", None)
    return isinstance(transport, ReadAheadTCPTransport) and not transport._read_buffer
