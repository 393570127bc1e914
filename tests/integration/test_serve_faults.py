"""``forge serve`` when its embedded database server dies under it.

The story: a signed-in user saves projects; the nx-27017 child is killed with
SIGKILL while requests keep coming, and its port is held by something else
for a few seconds so that it cannot come back at once; meanwhile every page
is a 503 with Retry-After (never a 500) and ``/@@health`` says the database is
down; then the supervisor starts it again by itself, the pages answer 200,
everything saved before is there, and Ctrl-C stops the whole thing in under
two seconds.
"""
import json
import os
import signal
import socket
import threading
import time
import urllib.error
import urllib.request

import pymongo
import pytest

from .test_serve import PASSWORD, Client

pytestmark = pytest.mark.integration

HOLD_PORT_SECONDS = 5      # longer than the checks made while it is held
RESUME_WITHIN = 20
STOP_WITHIN = 2


def fetch(url, timeout=15):
    """(status, headers, body) of a GET, whatever the status."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def database_pid(data_dir):
    with open(os.path.join(data_dir, "db.pid")) as pid_file:
        return int(pid_file.read().strip())


def hold_port(port):
    """Listen on ``port`` without ever answering: the database server started
    again cannot bind it, and a client that connects waits in vain."""
    deadline = time.monotonic() + 2
    while True:
        holder = socket.socket()
        holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            holder.bind(("127.0.0.1", port))
            holder.listen(16)
            return holder
        except OSError:             # the killed server's socket is not closed yet
            holder.close()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.01)


class Load:
    """GETs in a loop on another thread, every status kept."""

    def __init__(self, url):
        self.url = url
        self.statuses = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        n = 0
        while not self._stop.is_set():
            n += 1
            status, headers, body = fetch("%s?n=%d" % (self.url, n))
            self.statuses.append((status, headers.get("Retry-After"), body[:300]))
            self._stop.wait(0.1)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._stop.set()
        self._thread.join(20)


def test_the_database_dies_and_comes_back(tmp_path, forge_serve):
    data_dir = tmp_path / "data"
    server = forge_serve(data_dir)
    admin = Client(server.url).login("admin", server.admin_password)
    for name in ("one", "two"):
        status, url, page = admin.submit("/p/@@create", {
            "shortname": name, "title": name.title(), "description": "saved before"})
        assert status == 200 and url.endswith("/p/%s/" % name), page[:2000]
    assert fetch(server.url + "@@health")[0] == 200

    killed_pid = database_pid(data_dir)
    with Load(server.url + "p/one/") as load:
        time.sleep(0.5)
        os.kill(killed_pid, signal.SIGKILL)
        holder = hold_port(server.db_port)
        release_at = time.monotonic() + HOLD_PORT_SECONDS
        try:
            time.sleep(1)
            status, headers, body = fetch(server.url + "p/two/")
            assert status == 503, body[:2000]
            assert headers["Retry-After"].isdigit()
            assert "Temporarily unavailable" in body and "Traceback" not in body
            status, _, body = fetch(server.url + "@@health")
            assert status == 503
            assert json.loads(body)["parts"]["database"]["status"] == "down"
            time.sleep(max(0.0, release_at - time.monotonic()))
        finally:
            holder.close()

        deadline = time.monotonic() + RESUME_WITHIN
        while time.monotonic() < deadline:
            if fetch(server.url + "p/two/")[0] == 200:
                break
            time.sleep(0.2)
        else:
            raise AssertionError("service did not resume: %s\n%s" % (
                fetch(server.url + "p/two/")[:3:2], server.output()))
        time.sleep(0.5)

    statuses = [status for status, _, _ in load.statuses]
    assert 500 not in statuses, load.statuses
    assert set(statuses) <= {200, 503}, load.statuses
    assert 503 in statuses and statuses[-1] == 200
    assert all(retry for status, retry, _ in load.statuses if status == 503)

    # the supervisor said what happened, and a new server runs
    output = server.output()
    assert "exited (code -9)" in output and "running again" in output, output
    assert database_pid(data_dir) != killed_pid

    # nothing saved before is lost, and saving works again
    for name in ("one", "two"):
        status, _, page = admin.get("/p/%s/" % name)
        assert status == 200 and "saved before" in page
    status, url, page = admin.submit("/p/@@create", {
        "shortname": "three", "title": "Three", "description": "saved after"})
    assert status == 200 and url.endswith("/p/three/"), page[:2000]
    # health says so too, once its probe (cached CACHE_SECONDS, its own client
    # renewed after the restart) has seen the new server
    deadline = time.monotonic() + RESUME_WITHIN
    while True:
        status, _, body = fetch(server.url + "@@health")
        if status == 200 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert status == 200, body[:2000]

    code, seconds = server.stop(signal.SIGINT)
    assert code == 0, server.output()
    assert seconds < STOP_WITHIN, seconds
    with pytest.raises(pymongo.errors.PyMongoError):      # the database stopped too
        with pymongo.MongoClient("mongodb://127.0.0.1:%d/" % server.db_port,
                                 serverSelectionTimeoutMS=300) as client:
            client.admin.command("ping")
