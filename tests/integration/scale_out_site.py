"""The scaled-out site of test_scale_out.py: ``pserve`` web processes of an
INI file, one per search node, beside ``forge worker`` processes on the real
RabbitMQ, and plain HTTP calls to them.
"""
import json
import os
import queue
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

from .conftest import RABBITMQ
from .sites import WorkerSite
from .bus_parts import ROOT, WorkerProcess


PSERVE = os.path.join(os.path.dirname(sys.executable), "pserve")
SERVING = re.compile(r"Serving on http://127\.0\.0\.1:(\d+)")
NODES = ("a", "b")
WRITERS = 4              # threads, each writing through both web processes in turn
# per writer: a ticket and an edit of its wiki page each round, through the other
# process each round (4: each writer goes both ways twice; 6 only cost more)
ROUNDS = 4
BACKLOG = 40             # tickets written while no worker runs (10 per writer)

INI = """\
[app:main]
use = egg:pyforge
forge.data_dir = {data_dir}
forge.search.node = {node}
forge.secret = scale-out-test
forge.metrics.allow = 127.0.0.1
forge.password.time_cost = 1
forge.password.memory_kib = 1024
forge.password.parallelism = 1

[server:main]
use = egg:waitress#main
listen = 127.0.0.1:0
threads = 4

[loggers]
keys = root, waitress

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARN
handlers = console

[logger_waitress]
level = INFO
handlers =
qualname = waitress

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %(levelname)s [%(name)s] %(message)s
"""


def cpu_seconds(pid):
    """User + system CPU of a process so far (``/proc/PID/stat``)."""
    with open("/proc/%d/stat" % pid) as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class WebProcess:
    """``pserve`` of an INI file written for one search node, on a free port."""

    def __init__(self, tmp_path, node, env):
        self.node = node
        self.data_dir = tmp_path / ("node-%s" % node)
        self.data_dir.mkdir(exist_ok=True)
        ini = tmp_path / ("web-%s.ini" % node)
        ini.write_text(INI.format(data_dir=self.data_dir, node=node))
        self.process = subprocess.Popen([PSERVE, str(ini)], stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True, env=env,
                                        cwd=ROOT, start_new_session=True)
        self.lines = queue.Queue()
        self.output = []
        threading.Thread(target=self._read, daemon=True).start()
        self.url = None

    def _read(self):
        for line in self.process.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def wait_until_serving(self, timeout=120):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                continue
            if line is None:
                raise AssertionError("pserve exited:\n" + "".join(self.output))
            self.output.append(line)
            match = SERVING.search(line)
            if match:
                self.url = "http://127.0.0.1:%s" % match.group(1)
                return self
        raise AssertionError("pserve did not start:\n" + "".join(self.output))

    def text(self):
        while True:
            try:
                line = self.lines.get_nowait()
            except queue.Empty:
                return "".join(self.output)
            if line is not None:
                self.output.append(line)

    def kill(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, 9)
        self.process.wait(30)


class Answer:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self):
        return self.body.decode("utf-8")

    @property
    def json(self):
        return json.loads(self.body)


def call(method, url, body=None, token=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", "Bearer " + token)
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return Answer(response.status, response.headers, response.read())
    except urllib.error.HTTPError as error:
        return Answer(error.code, error.headers, error.read())


class ScaleOutSite(WorkerSite):
    def __init__(self, mongo_url, tmp_path):
        super().__init__(mongo_url, tmp_path, "scale")
        self.webs = []

    def start_node_workers(self, nodes):
        """A ``forge worker`` per node, all started before waiting for the
        first (their start-ups overlap instead of following each other)."""
        workers = [WorkerProcess(self.tmp_path / ("node-%s" % node),
                                 dict(self.env, FORGE_SEARCH_NODE=node)) for node in nodes]
        self.workers.extend(workers)
        return [worker.wait_until_running() for worker in workers]

    def start_webs(self, nodes):
        """A ``pserve`` per node, all started before waiting for the first
        (a node's worker runs already: it made the node's search index)."""
        webs = [WebProcess(self.tmp_path, node, self.env) for node in nodes]
        self.webs.extend(webs)
        return [web.wait_until_serving() for web in webs]

    def node_queues(self):
        from forge.bus import amqp
        namespace = amqp.namespace(self.registry.settings)
        return [name(reactor, namespace) for node in NODES
                for reactor in ["forge.search.%s" % node]
                for name in (amqp.reactor_queue_name, amqp.retry_queue_name,
                             amqp.dead_queue_name)]

    def close(self):
        for web in self.webs:
            web.kill()
        from kombu import Connection
        try:
            with Connection(RABBITMQ) as connection:
                channel = connection.channel()
                for name in self.node_queues():
                    channel.queue_delete(name)
        finally:
            super().close()
