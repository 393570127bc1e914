"""Real parts the bus integration tests drive: ``forge worker`` as a process
of its own (``WorkerProcess``) and a link to RabbitMQ that can be cut and
restored (``BrokerLink``) while the shared broker itself runs on.
"""
import os
import queue
import signal
import socket
import subprocess
import threading
import time

from .conftest import FORGE, free_port

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class WorkerProcess:
    """``forge worker`` in its own process group; output read as it comes.
    ``reactors`` (``forge worker --reactors``): only the reactors a test looks
    at, not every reactor of the forge (most of a worker's work otherwise)."""

    def __init__(self, data_dir, env, reactors=None):
        selection = ["--reactors", reactors] if reactors is not None else []
        self.process = subprocess.Popen(
            [FORGE, "worker", "--data-dir", str(data_dir), *selection], stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, env=env, start_new_session=True, cwd=ROOT)
        self.lines = queue.Queue()
        self.output = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def text(self):
        while True:
            try:
                line = self.lines.get_nowait()
            except queue.Empty:
                return "".join(self.output)
            if line is not None:
                self.output.append(line)

    def wait_until_running(self, timeout=90):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                continue
            if line is None:
                raise AssertionError("forge worker exited:\n" + "".join(self.output))
            self.output.append(line)
            if line.startswith("Worker running"):
                return self
        raise AssertionError("forge worker did not start:\n" + self.text())

    def kill(self):
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.process.wait(30)


class BrokerLink:
    """A TCP proxy to RabbitMQ that can be cut and restored: to the relay
    behind it the broker is down (connections dropped, new ones refused)
    while the shared RabbitMQ itself, which other tests may use, runs on."""

    def __init__(self, target=("127.0.0.1", 5672)):
        self.target = target
        self.port = free_port()
        self.sockets = []
        self.lock = threading.Lock()
        self.listener = None

    @property
    def url(self):
        return "amqp://guest:guest@127.0.0.1:%d//" % self.port

    def start(self):
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        return self

    def _accept(self, listener):
        while True:
            try:
                client, _address = listener.accept()
            except OSError:
                return                       # cut
            if self.listener is not listener:      # cut meanwhile
                client.close()
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self.lock:
                self.sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source, sink):
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                sink.sendall(data)
        except OSError:
            pass
        for sock in (source, sink):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def cut(self):
        """The broker goes away: refuse new connections, drop the open ones."""
        self.listener, listener = None, self.listener
        if listener is not None:
            try:
                listener.shutdown(socket.SHUT_RDWR)     # wakes the thread blocked in accept()
            except OSError:
                pass
            listener.close()
        with self.lock:
            sockets, self.sockets = self.sockets, []
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
