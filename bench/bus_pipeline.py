"""PyForge end to end for the bus benchmark: saves in this process, its relay
thread, a ``forge worker`` process, and the database server.

``Pipeline(workdir, tree=...)`` runs the forge of ``tree`` (a source tree:
this one by default; ``bench/bus_trees.py`` gives an older commit's
worktree): this process imports it first on ``sys.path`` and the worker
runs with it first on ``PYTHONPATH``.  Saves are units of work
(``forge.unit_of_work.change``) emitting ``events_per_save`` events each,
by ``savers`` threads (each with its own Ming session, as waitress threads
have); the worker runs the no-op reactor of ``bus_plugin`` and, unless
``only_bench_reactor``, the forge's own reactors on ``#`` (every event goes to
each of their queues too, as in production).

CPU figures come from ``/proc/PID/task/TID/schedstat`` (nanoseconds): the
saving threads' ``thread_time`` in ``save``, the relay thread, the whole
saving process (which also holds the embedded server's log-draining thread
and pymongo's monitors), the database server and the worker.

``bench/bus_tree_run.py`` runs it for one tree and prints the figures as
JSON (what ``bench/bus_trees.py`` runs per tree and round).
"""
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid

from bus_commands import CommandCounter, difference
from bus_topology import delete_bus_topology

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
AMQP = os.environ.get("FORGE_BENCH_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//")


class Pipeline:
    def __init__(self, workdir, savers=1, only_bench_reactor=False, events_per_save=1,
                 tree=ROOT):
        self.tree = os.path.abspath(tree)
        sys.path.insert(0, self.tree)          # before anything imports forge
        from forge.embedded import EmbeddedMongo
        self.workdir = workdir
        self.savers = savers
        self.events_per_save = events_per_save
        self.reactor = "bench.noop.%s" % uuid.uuid4().hex[:8]
        # exchanges and queues of our own: other forges (test runs) may share
        # the broker, and their workers must not take our events, nor we theirs
        self.namespace = "forge-bench-%s" % uuid.uuid4().hex[:8]
        self.latency_file = os.path.join(workdir, "latency.txt")
        open(self.latency_file, "w").close()
        self.commands_file = os.path.join(workdir, "worker-commands.json")
        self.commands = CommandCounter.install()       # before Ming connects
        self.save_cpu = 0.0            # CPU seconds of the saving threads in save()
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        external = os.environ.get("FORGE_BENCH_MONGODB_URL")
        if external:      # a real MongoDB: a database of our own on it, dropped at the end
            self.database = "forge_bus_bench_%s" % uuid.uuid4().hex[:8]
            self.db = ExternalMongo(external, self.database)
            self.db_pid = None            # not ours: its CPU is not reported
        else:
            self.database = "forge"
            self.db = EmbeddedMongo(os.path.join(workdir, "db"), port).start()
            self.db_pid = self.db.process.pid
        only = "1" if only_bench_reactor else ""
        os.environ.update(FORGE_BENCH_LATENCY_FILE=self.latency_file,
                          FORGE_BENCH_REACTOR=self.reactor, FORGE_BENCH_ONLY_REACTOR=only)
        import forge
        self.forge_file = forge.__file__
        self.app = forge.main({}, **{
            "ming.main.uri": self.db.url, "ming.main.database": self.database,
            "forge.secret": "bench", "forge.tools": "bus_plugin",
            "forge.load_tool_entry_points": "false", "forge.bus.url": AMQP,
            "forge.bus.relay": "thread", "forge.bus.namespace": self.namespace})
        config = os.path.join(workdir, "worker.ini")
        with open(config, "w") as f:
            f.write("[app:main]\nuse = egg:pyforge\nforge.bus.namespace = %s\n" % self.namespace)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("FORGE_", "MING_"))}
        # the database named in both ways: older trees read FORGE_MONGODB_URL
        # only, newer ones the ming.* variables too
        env.update(FORGE_MONGODB_URL=self.db.url, MING_MAIN_DATABASE=self.database,
                   FORGE_BUS_URL=AMQP, FORGE_TOOLS="bus_plugin",
                   FORGE_LOAD_TOOL_ENTRY_POINTS="false", FORGE_BUS_RELAY="off",
                   FORGE_BENCH_LATENCY_FILE=self.latency_file,
                   FORGE_BENCH_COMMANDS_FILE=self.commands_file,
                   FORGE_BENCH_REACTOR=self.reactor, FORGE_BENCH_ONLY_REACTOR=only,
                   PYTHONUNBUFFERED="1",   # the forge of the tree, and the plugin:
                   PYTHONPATH=os.pathsep.join([self.tree, BENCH]))
        self.worker = subprocess.Popen(
            [sys.executable, "-c", "import bus_plugin; bus_plugin.run_worker()",
             "--config", config, "--data-dir", os.path.join(workdir, "worker")],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
            start_new_session=True, cwd=self.tree)
        started = []
        for line in self.worker.stdout:
            if line.startswith("Worker running"):
                started.append(line.strip())
                break
        else:
            raise SystemExit("forge worker did not start")
        self.worker_line = started[0]
        threading.Thread(target=lambda: [None for _ in self.worker.stdout], daemon=True).start()
        self.node = self._make_node()

    def _make_node(self):
        from forge.model import session
        from forge.model.auth import User
        user = User.query.find().first()       # any document will do as the event's node
        session.close()
        return user

    def save(self):
        """A unit of work that emits ``events_per_save`` events and changes
        nothing else, as actions make them (``change``)."""
        from forge.events import ForgeEvent
        from forge.model import session
        from forge.model.change_log import ChangeLogEntry  # noqa: F401  (mapped before flush)
        from forge.unit_of_work import change

        class Ping(ForgeEvent):
            topic = "bench.ping"
        with change(self.app.registry, None, node=self.node, actor=None, new={},
                    source="bench", auditors=False) as unit:
            for _ in range(self.events_per_save):
                unit.also_emit(Ping(self.node, source="bench"))
        session.close()

    def latencies(self):
        with open(self.latency_file) as f:
            return [float(line) for line in f if line.strip()]

    def reached(self):
        """How many events reached the reactor (one line each)."""
        with open(self.latency_file, "rb") as f:
            return f.read().count(b"\n")

    def wait_for(self, count, timeout=600):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.reached() >= count:
                return time.perf_counter()
            time.sleep(0.01)
        raise SystemExit("only %d of %d events reached the reactor" % (self.reached(), count))

    def _save_from_threads(self, count, due=None):
        """``count`` saves by ``self.savers`` threads taking the next save
        from a shared counter; save ``i`` waits for ``due(i)`` (perf_counter)."""
        taken = iter(range(count))
        lock = threading.Lock()
        errors = []

        def saver():
            try:
                while True:
                    with lock:
                        i = next(taken, None)
                    if i is None:
                        return
                    if due is not None:
                        delay = due(i) - time.perf_counter()
                        if delay > 0:
                            time.sleep(delay)
                    spent = time.thread_time()
                    self.save()
                    spent = time.thread_time() - spent
                    with lock:
                        self.save_cpu += spent
            except Exception as error:      # reported below, not lost in a thread
                errors.append(error)
        if self.savers == 1:
            saver()
        else:
            threads = [threading.Thread(target=saver) for _ in range(self.savers)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        if errors:
            raise errors[0]

    def saves_for(self, events):
        """How many saves make ``events`` events (at least one save)."""
        return max(1, events // self.events_per_save)

    def throughput(self, events):
        """Events per second saved and through to the reactor, for
        ``saves_for(events)`` saves."""
        saves = self.saves_for(events)
        count = saves * self.events_per_save
        before = self.reached()
        started = time.perf_counter()
        self._save_from_threads(saves)
        saved = time.perf_counter()
        finished = self.wait_for(before + count)
        return count / (saved - started), count / (finished - started)

    def paced(self, rate, seconds):
        """Saves paced so that ``rate`` events a second are emitted."""
        before = self.reached()
        saves = self.saves_for(int(rate * seconds))
        count = saves * self.events_per_save
        save_rate = rate / self.events_per_save
        started = time.perf_counter()
        self._save_from_threads(saves, due=lambda i: started + i / save_rate)
        achieved = count / (time.perf_counter() - started)
        self.wait_for(before + count)
        return achieved, sorted(self.latencies()[before:before + count])

    def cpu_seconds(self):
        """CPU seconds so far: the saves (the saving threads' ``thread_time``
        in ``save``: not the bench's own waiting), the relay thread, this
        whole process, the database server and the worker."""
        relay = self.app.registry.forge_relay._thread
        return {"saves (change)": self.save_cpu,
                "relay thread": task_cpu_seconds(os.getpid(), relay.native_id)
                if relay is not None else 0.0,
                "saving process, all threads": process_cpu_seconds(os.getpid()),
                "database server": process_cpu_seconds(self.db_pid) if self.db_pid else None,
                "forge worker": process_cpu_seconds(self.worker.pid)}

    def worker_commands(self):
        try:
            with open(self.commands_file) as f:
                return {tuple(key.split(" ", 1)): n for key, n in json.load(f).items()}
        except (OSError, ValueError):
            return {}

    def command_counts(self):
        """Database commands so far: saving threads, relay thread, worker."""
        mine = self.commands.snapshot()
        return {"saves": {name: n for (kind, name), n in mine.items() if kind == "other"},
                "relay": {name: n for (kind, name), n in mine.items() if kind == "relay"},
                "worker": {name: n for (_kind, name), n in self.worker_commands().items()}}

    def quiesce(self, quiet=0.5, timeout=60):
        """Wait until the worker has finished every reactor's share (its CPU
        in 10 ms ticks and its database commands stop moving), so what it
        spent is all counted."""
        deadline = time.monotonic() + timeout
        last, since = None, time.monotonic()
        while time.monotonic() < deadline:
            now = (tick_cpu_seconds(self.worker.pid), sorted(self.worker_commands().items()))
            if now != last:
                last, since = now, time.monotonic()
            elif time.monotonic() - since >= quiet:
                return
            time.sleep(0.05)

    def measured(self, step, events):
        """Run ``step()`` between two quiet points; return its result and
        what it cost per event: CPU ms by part, database commands by sender."""
        self.quiesce()
        cpu_before, commands_before = self.cpu_seconds(), self.command_counts()
        result = step()
        self.quiesce()
        cpu_after, commands_after = self.cpu_seconds(), self.command_counts()
        cpu = {name: 1000 * (seconds - cpu_before[name]) / events
               for name, seconds in cpu_after.items() if seconds is not None}
        commands = {sender: difference(commands_after[sender], commands_before[sender])
                    for sender in commands_after}
        return result, cpu, commands

    def database_check(self):
        """Where the forge's side wrote, read back with a client of our own:
        the saves' outbox records and the worker's processed markers (the
        benchmark's reactor keeps markers) in ``self.database`` on the server
        of ``self.db.url``, so that ``FORGE_BENCH_MONGODB_URL`` is seen to be
        used by every process, not only this one."""
        import pymongo
        with pymongo.MongoClient(self.db.url, serverSelectionTimeoutMS=5000) as client:
            database = client[self.database]
            return {"outbox records": database["outbox"].count_documents({}),
                    "worker markers": database["bus_processed"].count_documents(
                        {"reactor": self.reactor})}

    def close(self):
        if self.worker.poll() is None:
            os.killpg(self.worker.pid, signal.SIGTERM)
            try:
                self.worker.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.worker.pid, signal.SIGKILL)
        self.app.registry.forge_relay.stop()
        delete_bus_topology(AMQP, self.app.registry.forge_reactors, self.namespace)
        self.db.stop()


class ExternalMongo:
    """A MongoDB server named by ``FORGE_BENCH_MONGODB_URL`` (not ours to start
    or stop): only the bench's database on it is dropped at the end."""

    def __init__(self, url, database):
        self.url = url
        self.database = database

    def stop(self):
        import pymongo
        with pymongo.MongoClient(self.url, serverSelectionTimeoutMS=5000) as client:
            client.drop_database(self.database)


def task_cpu_seconds(pid, tid):
    """CPU seconds of one thread (``schedstat``: nanoseconds), or 0.0 once gone."""
    try:
        with open("/proc/%d/task/%d/schedstat" % (pid, tid)) as f:
            return int(f.read().split()[0]) / 1e9
    except OSError:
        return 0.0


def process_cpu_seconds(pid):
    """CPU seconds of a whole process: its live threads' ``schedstat`` plus
    what its ended threads spent (``/proc/PID/stat`` keeps that, in ticks,
    only for the whole process, so: the whole process in ticks, corrected by
    its live threads' exact figures against their ticks)."""
    live_exact = live_ticks = 0.0
    try:
        tasks = os.listdir("/proc/%d/task" % pid)
    except OSError:
        return None
    for task in tasks:
        live_exact += task_cpu_seconds(pid, int(task))
        live_ticks += tick_cpu_seconds(pid, int(task)) or 0.0
    whole = tick_cpu_seconds(pid)
    return None if whole is None else whole - live_ticks + live_exact


def tick_cpu_seconds(pid, thread=None):
    """user + system CPU seconds of a process, or of one of its threads
    (``/proc/.../stat``, in clock ticks; None when gone)."""
    path = "/proc/%d/stat" % pid if thread is None else "/proc/%d/task/%d/stat" % (pid, thread)
    try:
        with open(path) as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def loadavg():
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "?"
