"""The embedded database: a MongoDB wire-protocol server on SQLite (``nx-27017``).

``forge serve`` and ``forge admin`` need no installed MongoDB: they start
``nx-27017`` as a child process, keeping its files under the data dir, and stop
it when they are done::

    with EmbeddedMongo("data", port=27018) as db:
        app = forge.main({}, **{"ming.main.uri": db.url})

When something already answers on the port (a running ``forge serve`` of the
same data dir, typically) it is used as it is and left running afterwards, so
an admin command works both while the forge runs and while it does not.
"""
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import deque

import pymongo
from pymongo.errors import PyMongoError

DEFAULT_PORT = 27018          # not 27017, so a real MongoDB on the machine is never touched
HOST = "127.0.0.1"
EXECUTABLE = "nx-27017"
STARTUP_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0
OUTPUT_LINES = 8


class EmbeddedMongoError(RuntimeError):
    """The embedded server could not be started; the message says why."""


def embedded_url(port=DEFAULT_PORT, host=HOST):
    return "mongodb://%s:%d/" % (host, port)


def server_answers(url, timeout=0.5):
    """True when a MongoDB wire-protocol server at ``url`` answers a ping."""
    client = pymongo.MongoClient(url, serverSelectionTimeoutMS=int(timeout * 1000),
                                 connectTimeoutMS=int(timeout * 1000))
    try:
        client.admin.command("ping")
        return True
    except PyMongoError:
        return False
    finally:
        client.close()


def port_open(host, port, timeout=0.25):
    """True when something accepts a TCP connection on ``host:port``.  A closed
    port refuses at once, where a ping (``server_answers``) waits out its
    whole server-selection timeout: so the ping is asked only of an open port."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def find_executable():
    """``nx-27017`` next to the running Python (the venv) first, then on PATH."""
    beside = os.path.join(os.path.dirname(sys.executable), EXECUTABLE)
    if os.access(beside, os.X_OK):
        return beside
    found = shutil.which(EXECUTABLE)
    if found is None:
        raise EmbeddedMongoError(
            "The embedded database server %r is not installed "
            "(pip install nx-27017, or set ming.main.uri to a MongoDB)." % EXECUTABLE)
    return found


def _detach_from_terminal():
    """Run in the child before exec.

    A new process group keeps a Ctrl-C in the terminal from killing the
    database before the web server has finished its requests (the parent stops
    it afterwards); on Linux the child also gets SIGTERM if the parent dies
    without stopping it, so no server is left holding the port and the files.
    """
    os.setpgrp()
    if sys.platform.startswith("linux"):
        try:
            import ctypes
            libc = ctypes.CDLL("libc.so.6", use_errno=True)
            PR_SET_PDEATHSIG = 1
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        except OSError:
            pass


def _end(process):
    """Terminate, wait, kill."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class EmbeddedMongo:
    """Start (or find running) the embedded server for one data dir.

    ``started`` tells whether this object started the server (and so will
    stop it); ``url`` is the ``mongodb://`` URL to give Ming.
    """

    def __init__(self, data_dir, port=DEFAULT_PORT, host=HOST,
                 startup_timeout=STARTUP_TIMEOUT):
        self.data_dir = os.path.abspath(data_dir)
        self.port = int(port)
        self.host = host
        self.startup_timeout = startup_timeout
        self.process = None
        self.reused = False
        self._output = deque(maxlen=OUTPUT_LINES)
        # stop() may come from another thread while the supervisor restarts it
        self._lock = threading.Lock()
        self._stopping = False

    @property
    def url(self):
        return embedded_url(self.port, self.host)

    @property
    def started(self):
        return self.process is not None

    @property
    def db_dir(self):
        return os.path.join(self.data_dir, "db")

    @property
    def log_file(self):
        return os.path.join(self.data_dir, "db.log")

    def answers(self, timeout=0.5):
        """A wire-protocol server answers on this port (a closed one: False at once)."""
        return port_open(self.host, self.port) and server_answers(self.url, timeout=timeout)

    def start(self):
        if self.answers():
            self.reused = True
            return self
        self._spawn()
        self._wait_until_ready()
        return self

    def restart(self):
        """Start the server again after it died (``forge.supervise``); raises
        EmbeddedMongoError when it does not come up, or ``stop`` was called."""
        with self._lock:
            if self._stopping:
                raise EmbeddedMongoError("The embedded database server is being stopped.")
        self._spawn()
        self._wait_until_ready()
        return self

    def _spawn(self):
        os.makedirs(self.db_dir, exist_ok=True)
        self._rotate_log()
        command = [find_executable(), "--data-dir", self.db_dir, "-p", str(self.port),
                   "--host", self.host, "--log-file", self.log_file,
                   "--pid-file", os.path.join(self.data_dir, "db.pid")]
        output = deque(maxlen=OUTPUT_LINES)
        with self._lock:
            if self._stopping:
                raise EmbeddedMongoError("The embedded database server is being stopped.")
            process = self.process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                preexec_fn=_detach_from_terminal if os.name == "posix" else None)
            self._output = output
        # the server logs every command to its log file *and* to stderr: drain
        # the pipe (or the server blocks once it is full), keeping only the last
        # lines to explain a failed start
        threading.Thread(target=self._drain, args=(process.stdout, output),
                         name="embedded-db-output", daemon=True).start()

    def _rotate_log(self):
        """Keep one previous log: the server logs every command, so it grows fast."""
        if os.path.exists(self.log_file):
            os.replace(self.log_file, self.log_file + ".1")

    def _wait_until_ready(self):
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            process = self.process
            if process is None:           # stopped meanwhile
                raise EmbeddedMongoError("The embedded database server was stopped.")
            if process.poll() is not None:
                self.process = None
                raise EmbeddedMongoError(
                    "The embedded database server exited at start (port %d in use?). %s"
                    % (self.port, self._output_tail()))
            if self.answers(timeout=0.25):
                return
            time.sleep(0.05)
        with self._lock:        # not stop(): the supervisor may try again
            process, self.process = self.process, None
        _end(process)
        raise EmbeddedMongoError(
            "The embedded database server did not answer on %s within %d seconds. %s"
            % (self.url, self.startup_timeout, self._output_tail()))

    @staticmethod
    def _drain(pipe, lines):
        with pipe:
            for line in pipe:
                lines.append(line.decode("utf-8", "replace").rstrip())

    def _output_tail(self):
        time.sleep(0.1)        # let the drain thread read what a dying server wrote
        tail = [line for line in self._output if line.strip()]
        return ("It said: %s" % tail[-1].strip()) if tail else ""

    def stop(self):
        """Stop the server if this object started it: terminate, wait, kill."""
        with self._lock:
            self._stopping = True
            process, self.process = self.process, None
        _end(process)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()
