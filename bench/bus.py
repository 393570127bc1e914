"""Event bus benchmark: the raw kombu ceiling vs PyForge end to end.

    .venv/bin/python bench/bus.py [--events N] [--rate 500] [--seconds 10]
                                  [--savers 1] [--events-per-save 1]
                                  [--only-bench-reactor]

Against the same RabbitMQ (``FORGE_BENCH_AMQP_URL``, default 127.0.0.1:5672),
in one run:

1. **raw kombu**: N small (~250 bytes) persistent messages published to a
   durable queue and consumed with acks by a second connection: with
   publisher confirms one at a time (a wait after each publish), with
   confirms pipelined (a batch of ``BATCH`` published, then one wait for all
   their confirms: what the relay does), and without confirms for reference;
2. **PyForge end to end**: N events from N / ``--events-per-save`` "saves"
   (units of work, ``forge.unit_of_work.change``, each emitting that many
   events: the action path) in this process, by
   ``--savers`` threads (each with its own Ming session, as waitress threads
   have), whose relay thread publishes them; a ``forge worker`` process runs a
   no-op reactor that writes the save-to-reactor latency (now - the event's
   timestamp, taken before the flush) to a file and acks.  The worker also
   runs the forge's own reactors on ``#`` (activity, search, notifications:
   every event goes to each of their queues too, as in production) unless
   ``--only-bench-reactor``;
3. the same pipeline **paced** at ``--rate`` events per second for
   ``--seconds``: p50/p99 latency from save to reactor.

The database is a fresh embedded nx-27017 in a temp dir, or a database of its
own on the MongoDB server that ``FORGE_BENCH_MONGODB_URL`` names.  The table ends with
what step 2 cost per event, counted until the worker has gone quiet (every
reactor done): the CPU time (``/proc/PID/stat``; this process split into its
saving threads' ``thread_time`` in ``save`` and its relay thread,
``/proc/PID/task/TID/stat``) of the saves, the relay, the database server
and the worker, the database commands
each sent (a pymongo ``CommandListener`` in this process and in the worker),
and ``/proc/loadavg``: the machine's other work moves the figures, so compare
runs made one after the other.  This module is
also the forge plugin that registers the benchmark's reactor (``includeme``).
"""
import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
AMQP = os.environ.get("FORGE_BENCH_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//")
BODY = {"id": "0" * 32, "topic": "bench.ping", "node_type": "BenchPing", "node_id": "0" * 24,
        "project_id": None, "tool_id": None, "path": None, "actor_id": None,
        "source": "bench", "timestamp": 0.0, "detail": {}}


# -- the plugin: loaded by ``forge worker`` (PYTHONPATH=bench, FORGE_TOOLS=bus) --------

def run_worker():
    """``forge worker ARGS`` with the database commands counted (into
    ``FORGE_BENCH_COMMANDS_FILE``): the listener must be registered before
    the forge makes its client, which ``forge worker`` does before it loads
    this plugin."""
    from forge.cli import main as forge_command
    CommandCounter.install().write_every(os.environ["FORGE_BENCH_COMMANDS_FILE"], 0.1)
    forge_command(args=["worker"] + sys.argv[1:], prog_name="forge")


def includeme(config):
    path = os.environ["FORGE_BENCH_LATENCY_FILE"]
    out = open(path, "a", buffering=1)
    lock = threading.Lock()
    name = os.environ["FORGE_BENCH_REACTOR"]

    def noop(event, context):
        with lock:
            out.write("%.6f\n" % (time.time() - event["timestamp"]))
    config.add_reactor("bench.#", noop, name=name)
    if os.environ.get("FORGE_BENCH_ONLY_REACTOR"):
        from pyramid.events import ApplicationCreated

        def only_ours(event):
            reactors = event.app.registry.forge_reactors
            for other in [n for n in reactors if n != name]:
                del reactors[other]
        config.add_subscriber(only_ours, ApplicationCreated)


# -- database commands ----------------------------------------------------------------

class CommandCounter:
    """Counts the database commands this process sends, by thread kind
    (``relay`` for the relay thread, ``other`` for the rest) and command name.

    Installed with ``pymongo.monitoring.register`` before the first client is
    made: Ming connects lazily, at the first query after the app is built."""

    def __init__(self):
        import collections
        self.counts = collections.Counter()
        self.lock = threading.Lock()

    @classmethod
    def install(cls):
        from pymongo import monitoring

        counter = cls()

        class Listener(monitoring.CommandListener):
            def started(self, event):
                kind = "relay" if threading.current_thread().name == "forge-bus-relay" else "other"
                with counter.lock:
                    counter.counts[(kind, event.command_name)] += 1

            def succeeded(self, event):
                pass

            def failed(self, event):
                pass
        monitoring.register(Listener())
        return counter

    def snapshot(self):
        with self.lock:
            return dict(self.counts)

    def write_every(self, path, seconds):
        """Keep ``path`` holding the counts as JSON (the bench reads the worker's)."""
        import json

        def loop():
            last = None
            while True:
                now = sorted(("%s %s" % key, n) for key, n in self.snapshot().items())
                if now != last:
                    with open(path + ".tmp", "w") as f:
                        json.dump(dict(now), f)
                    os.replace(path + ".tmp", path)
                    last = now
                time.sleep(seconds)
        threading.Thread(target=loop, daemon=True, name="bench-command-counts").start()


def _difference(after, before):
    return {key: n - before.get(key, 0) for key, n in after.items() if n - before.get(key, 0)}


def _per_event(counts, events):
    """``3.02 (insert 1.00, find 0.01, ...)``: commands per event, by name."""
    total = sum(counts.values())
    names = sorted(counts.items(), key=lambda item: -item[1])
    return "%.2f (%s)" % (total / events, ", ".join(
        "%s %.2f" % (name, n / events) for name, n in names) or "none")


# -- raw kombu ----------------------------------------------------------------------

BATCH = 200          # the pipelined publisher's batch (the relay's forge.bus.relay.BATCH)


def raw_kombu(count, confirms):
    """Messages per second through RabbitMQ, published and consumed with kombu;
    ``confirms``: ``"each"`` (wait for each publish's confirm), ``"pipelined"``
    (publish ``BATCH``, then wait for their confirms together) or ``"none"``."""
    from kombu import Connection, Consumer, Exchange, Producer, Queue
    from forge.bus.amqp import Confirms
    name = "bench.raw.%s" % uuid.uuid4().hex[:8]
    exchange = Exchange(name, type="topic", durable=True)
    queue = Queue(name, exchange=exchange, routing_key="bench.#", durable=True)
    received = threading.Event()
    done = []

    def consume():
        with Connection(AMQP) as connection:
            def on_message(body, message):
                message.ack()
                done.append(1)
                if len(done) == count:
                    received.set()
            with Consumer(connection.channel(), [queue], callbacks=[on_message],
                          accept=["json"], prefetch_count=100):
                ready.set()
                while not received.is_set():
                    try:
                        connection.drain_events(timeout=0.5)
                    except socket.timeout:
                        pass
    ready = threading.Event()
    options = {"confirm_publish": confirms == "each"}
    with Connection(AMQP, transport_options=options) as connection:
        channel = connection.channel()
        queue(channel).declare()
        consumer = threading.Thread(target=consume, daemon=True)
        consumer.start()
        ready.wait(10)
        producer = Producer(channel, exchange=exchange)
        if confirms == "pipelined":
            channel.confirm_select()
        started = time.perf_counter()
        for first in range(0, count, BATCH):
            batch = Confirms(channel) if confirms == "pipelined" else None
            for i in range(first, min(count, first + BATCH)):
                producer.publish(dict(BODY, timestamp=time.time()), routing_key="bench.ping",
                                 serializer="json", delivery_mode=2, message_id=str(i),
                                 retry=False)
                if batch is not None:
                    batch.published()
            if batch is not None:
                batch.wait(connection, 30)
        received.wait(300)
        elapsed = time.perf_counter() - started
        queue(channel).delete()
        exchange(channel).delete()
    return count / elapsed


# -- PyForge end to end --------------------------------------------------------------

class Pipeline:
    def __init__(self, workdir, savers=1, only_bench_reactor=False, events_per_save=1):
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
        os.environ["FORGE_BENCH_LATENCY_FILE"] = self.latency_file
        os.environ["FORGE_BENCH_REACTOR"] = self.reactor
        only = "1" if only_bench_reactor else ""
        os.environ["FORGE_BENCH_ONLY_REACTOR"] = only
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        sys.path.insert(0, ROOT)
        import forge
        self.app = forge.main({}, **{
            "ming.main.uri": self.db.url, "ming.main.database": self.database,
            "forge.secret": "bench", "forge.tools": "bus",
            "forge.load_tool_entry_points": "false", "forge.bus.url": AMQP,
            "forge.bus.relay": "thread", "forge.bus.namespace": self.namespace})
        config = os.path.join(workdir, "worker.ini")
        with open(config, "w") as f:
            f.write("[app:main]\nuse = egg:pyforge\nforge.bus.namespace = %s\n" % self.namespace)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("FORGE_", "MING_"))}
        env.update(FORGE_MONGODB_URL=self.db.url, MING_MAIN_DATABASE=self.database,
                   FORGE_BUS_URL=AMQP, FORGE_TOOLS="bus",
                   FORGE_LOAD_TOOL_ENTRY_POINTS="false", FORGE_BUS_RELAY="off",
                   FORGE_BENCH_LATENCY_FILE=self.latency_file,
                   FORGE_BENCH_COMMANDS_FILE=self.commands_file,
                   FORGE_BENCH_REACTOR=self.reactor, FORGE_BENCH_ONLY_REACTOR=only,
                   PYTHONUNBUFFERED="1",   # the forge of this tree, and the plugin:
                   PYTHONPATH=os.pathsep.join([ROOT, os.path.dirname(os.path.abspath(__file__))]))
        self.worker = subprocess.Popen(
            [sys.executable, "-c", "import bus; bus.run_worker()", "--config", config,
             "--data-dir", os.path.join(workdir, "worker")],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
            start_new_session=True, cwd=ROOT)
        for line in self.worker.stdout:
            if line.startswith("Worker running"):
                break
        else:
            raise SystemExit("forge worker did not start")
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
        raise SystemExit("only %d of %d events reached the reactor" % (
            len(self.latencies()), count))

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
        before = len(self.latencies())
        started = time.perf_counter()
        self._save_from_threads(saves)
        saved = time.perf_counter()
        finished = self.wait_for(before + count)
        return count / (saved - started), count / (finished - started)

    def paced(self, rate, seconds):
        """Saves paced so that ``rate`` events a second are emitted."""
        before = len(self.latencies())
        saves = self.saves_for(int(rate * seconds))
        count = saves * self.events_per_save
        save_rate = rate / self.events_per_save
        started = time.perf_counter()
        self._save_from_threads(saves, due=lambda i: started + i / save_rate)
        achieved = count / (time.perf_counter() - started)
        self.wait_for(before + count)
        return achieved, sorted(self.latencies()[before:before + count])

    def cpu_seconds(self):
        """CPU time so far of the saves (the saving threads' ``thread_time``
        in ``save``: not the bench's own waiting), the relay thread, the
        database server and the worker."""
        relay = self.app.registry.forge_relay._thread
        relay_cpu = _cpu_seconds(os.getpid(), relay.native_id) if relay is not None else 0.0
        return {"saves (change)": self.save_cpu,
                "relay thread": relay_cpu,
                "database server (nx-27017)": _cpu_seconds(self.db_pid) if self.db_pid else None,
                "forge worker": _cpu_seconds(self.worker.pid)}

    def worker_commands(self):
        import json
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
        and database commands stop moving), so what it spent is all counted."""
        deadline = time.monotonic() + timeout
        last, since = None, time.monotonic()
        while time.monotonic() < deadline:
            now = (round(_cpu_seconds(self.worker.pid) or 0, 2), sorted(self.worker_commands().items()))
            if now != last:
                last, since = now, time.monotonic()
            elif time.monotonic() - since >= quiet:
                return
            time.sleep(0.05)

    def close(self):
        from kombu import Connection
        from forge.bus import amqp
        if self.worker.poll() is None:
            os.killpg(self.worker.pid, signal.SIGTERM)
            try:
                self.worker.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.worker.pid, signal.SIGKILL)
        self.app.registry.forge_relay.stop()
        ns = self.namespace
        with Connection(AMQP) as connection:
            channel = connection.channel()
            for name in self.app.registry.forge_reactors:
                for queue in (amqp.reactor_queue_name(name, ns), amqp.retry_queue_name(name, ns),
                              amqp.dead_queue_name(name, ns)):
                    channel.queue_delete(queue)
            for exchange in (amqp.events_exchange_name(ns), amqp.retry_exchange_name(ns),
                             amqp.dead_exchange_name(ns)):
                channel.exchange_delete(exchange)
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


def _cpu_seconds(pid, thread=None):
    """user + system CPU seconds of a process, or of one of its threads
    (Linux ``/proc``; else None)."""
    path = "/proc/%d/stat" % pid if thread is None else "/proc/%d/task/%d/stat" % (pid, thread)
    try:
        with open(path) as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _loadavg():
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "?"


def percentile(values, p):
    return values[min(len(values) - 1, int(round(p / 100.0 * (len(values) - 1))))]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=3000)
    parser.add_argument("--rate", type=float, default=500.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--savers", type=int, default=1,
                        help="threads saving at once (a web process has 4)")
    parser.add_argument("--events-per-save", type=int, default=1,
                        help="events one unit of work emits (n numbers, n records)")
    parser.add_argument("--only-bench-reactor", action="store_true",
                        help="the worker runs the no-op reactor alone")
    args = parser.parse_args(argv)
    if args.events_per_save < 1 or args.events < args.events_per_save:
        parser.error("--events-per-save must be at least 1 and at most --events")

    load_before = _loadavg()
    raw_each = raw_kombu(args.events, confirms="each")
    raw_pipelined = raw_kombu(args.events, confirms="pipelined")
    raw_unconfirmed = raw_kombu(args.events, confirms="none")
    workdir = tempfile.mkdtemp(prefix="forge-bus-bench-")
    pipeline = Pipeline(workdir, savers=max(1, args.savers),
                        only_bench_reactor=args.only_bench_reactor,
                        events_per_save=args.events_per_save)
    events = pipeline.saves_for(args.events) * args.events_per_save   # what step 2 emits
    try:
        pipeline.throughput(200)                         # warm up
        pipeline.quiesce()
        cpu_before, commands_before = pipeline.cpu_seconds(), pipeline.command_counts()
        save_rate, e2e_rate = pipeline.throughput(args.events)
        pipeline.quiesce()
        cpu_after, commands_after = pipeline.cpu_seconds(), pipeline.command_counts()
        achieved, latencies = pipeline.paced(args.rate, args.seconds)
    finally:
        pipeline.close()
        shutil.rmtree(workdir, ignore_errors=True)

    rows = [
        ("raw kombu publish(confirm each)+consume", "%.0f msg/s" % raw_each),
        ("raw kombu publish(confirms pipelined by %d)+consume" % BATCH,
         "%.0f msg/s" % raw_pipelined),
        ("raw kombu publish(no confirm)+consume", "%.0f msg/s" % raw_unconfirmed),
        ("PyForge saves (change, pipeline running)", "%.0f events/s saved" % save_rate),
        ("PyForge end to end (save->relay->worker->ack)", "%.0f events/s" % e2e_rate),
        ("ratio end to end / raw (confirms pipelined)", "%.2f" % (e2e_rate / raw_pipelined)),
        ("ratio end to end / raw (confirm each)", "%.2f" % (e2e_rate / raw_each)),
        ("ratio end to end / raw (no confirm)", "%.2f" % (e2e_rate / raw_unconfirmed)),
        ("paced rate asked / achieved", "%.0f / %.0f events/s" % (args.rate, achieved)),
        ("paced latency save->reactor p50", "%.1f ms" % (1000 * statistics.median(latencies))),
        ("paced latency save->reactor p99", "%.1f ms" % (1000 * percentile(latencies, 99))),
        ("paced latency save->reactor max", "%.1f ms" % (1000 * latencies[-1])),
    ]
    total_cpu = 0.0
    for name, seconds in cpu_after.items():
        if seconds is not None and cpu_before[name] is not None:
            spent = 1000 * (seconds - cpu_before[name]) / events
            total_cpu += spent
            rows.append(("CPU per event, %s" % name, "%.2f ms" % spent))
    rows.append(("CPU per event, all of them", "%.2f ms" % total_cpu))
    total_commands = 0
    for name in commands_after:
        spent = _difference(commands_after[name], commands_before[name])
        total_commands += sum(spent.values())
        rows.append(("database commands per event, %s" % name, _per_event(spent, events)))
    rows.append(("database commands per event, all", "%.2f" % (total_commands / events)))
    rows.append(("load average before / after", "%s / %s" % (load_before, _loadavg())))
    width = max(len(r[0]) for r in rows)
    print("Event bus benchmark (%d events, %d per save, %d saver%s, %s, RabbitMQ %s)" % (
        events, args.events_per_save, args.savers, "" if args.savers == 1 else "s",
        "the no-op reactor alone" if args.only_bench_reactor
        else "the no-op reactor and the forge's own", AMQP.split("@")[-1]))
    for label, value in rows:
        print("  %s  %s" % (label.ljust(width), value))


if __name__ == "__main__":
    main()
