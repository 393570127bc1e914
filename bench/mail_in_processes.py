"""bench/mail_in.py ``--layout processes``: the forge laid out as in
production (DESIGN.md, README: ``forge.bus.url`` on RabbitMQ), each part a
process of its own:

* nx-27017 (the bench starts it, as in the embedded layout);
* ``forge mail-in`` (the forge's SMTP server; on RabbitMQ it relays its own
  events: the relay thread);
* ``--workers`` ``forge worker`` processes (every reactor's consumer and a
  relay each), all consuming the same queues;
* the mail peer (bench/mail_peer.py: the sink and the clients);
* this process: it seeds the site and reads the thread page for the paced
  run (its relay off), and counts its own CPU in "bench+sink".

Both commands run through bench/mail_in_child.py (``forge.cli.main`` with each
thread's name noted as it starts), so the CPU of each process is split by
thread from ``/proc/PID/task/TID/schedstat``: the mail-in process's relay
thread is "reactors" (as in the embedded layout, where the relay runs beside
the reactors), the rest of it "smtp server"; a worker process is all
"reactors", per reactor by its thread's name (its relay "bus relay", its
other threads and those that ended "worker, other").

Exchanges and queues are in a namespace of their own (``forge.bus.namespace
= forge-bench-mail-XXXXXXXX``) on ``$FORGE_BENCH_AMQP_URL`` (default
amqp://guest:guest@127.0.0.1:5672//), deleted at the end.  For the baseline
the workers are started once (so the queues exist), stopped, and the events
of the baseline wait in the queues until they are started again.
"""
import os
import signal
import subprocess
import sys
import threading
import time
import uuid

from bus_topology import delete_bus_topology
from mail_in_meters import cpu_seconds, wait_until_quiet

AMQP = os.environ.get("FORGE_BENCH_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//")
BENCH = os.path.dirname(os.path.abspath(__file__))


def bus_settings():
    """The bus settings every process of the run shares."""
    return {"forge.bus.url": AMQP,
            "forge.bus.namespace": "forge-bench-mail-%s" % uuid.uuid4().hex[:8]}


class Child:
    """One ``forge`` command in a process of its own, its threads noted."""

    def __init__(self, name, args, workdir, tree, ready):
        self.name = name
        self.threads_file = os.path.join(workdir, "%s.threads" % name)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("FORGE_", "MING_"))}
        env.update(FORGE_BENCH_THREADS_FILE=self.threads_file, PYTHONUNBUFFERED="1",
                   PYTHONPATH=os.pathsep.join([tree, BENCH]))
        self.process = subprocess.Popen(
            [sys.executable, os.path.join(BENCH, "mail_in_child.py")] + args,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
            start_new_session=True, cwd=tree)
        self.pid = self.process.pid
        self.output = []
        for line in self.process.stdout:
            self.output.append(line.rstrip())
            if line.startswith(ready):
                break
        else:
            self.stop()
            raise SystemExit("%s did not start:\n%s" % (name, "\n".join(self.output[-30:])))
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self):
        for line in self.process.stdout:
            self.output.append(line.rstrip())

    def thread_names(self):
        names = {}
        try:
            with open(self.threads_file) as noted:
                for line in noted:
                    tid, _tab, name = line.rstrip("\n").partition("\t")
                    names[int(tid)] = name
        except OSError:
            pass
        return names

    def threads(self):
        """{(tid, name): CPU seconds} of the live threads, and the process's total."""
        names = self.thread_names()
        seconds = {}
        try:
            tids = os.listdir("/proc/%d/task" % self.pid)
        except OSError:
            return seconds, 0.0
        for tid in tids:
            try:
                with open("/proc/%d/task/%s/schedstat" % (self.pid, tid)) as stat:
                    seconds[(int(tid), names.get(int(tid), "?"))] = \
                        int(stat.read().split()[0]) / 1e9
            except (OSError, ValueError, IndexError):
                continue
        try:
            total = cpu_seconds(self.pid)
        except OSError:
            total = 0.0
        return seconds, total

    def stop(self, timeout=60):
        if self.process.poll() is None:
            os.killpg(self.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.pid, signal.SIGKILL)
                self.process.wait()


class Processes:
    """The forge's processes of the run, started and stopped here."""

    def __init__(self, workdir, config, tree, listen, workers, registry, db_pid):
        self.workdir, self.config, self.tree = workdir, config, tree
        self.workers_wanted = workers
        self.registry = registry
        self.db_pid = db_pid
        self.namespace = registry.settings["forge.bus.namespace"]
        self.address = tuple((listen.split(":")[0], int(listen.split(":")[1])))
        self.mail_in = Child("mail-in", ["mail-in", "--config", config, "--data-dir",
                                         os.path.join(workdir, "mail-in"), "--listen", listen],
                             workdir, tree, "Mail in:")
        self.workers = []
        self.started_workers = 0
        self.connection = self.channel = None
        self.broker_pid = broker_pid()

    def start_workers(self):
        for _ in range(self.workers_wanted):
            self.started_workers += 1
            name = "worker-%d" % self.started_workers
            self.workers.append(Child(name, ["worker", "--config", self.config, "--data-dir",
                                             os.path.join(self.workdir, name)],
                                      self.workdir, self.tree, "Worker running"))

    def stop_workers(self):
        for worker in self.workers:
            worker.stop()
        self.workers = []

    def meter(self, peer_pid):
        return ProcessesMeter(self, peer_pid)

    def queue_depth(self):
        """Messages ready in the reactors' queues (not those a worker holds),
        over one connection kept for the run."""
        from kombu import Connection
        from forge.bus import amqp
        if self.connection is None:
            self.connection = Connection(AMQP)
            self.channel = self.connection.channel()
        depth = 0
        for name in self.registry.forge_reactors:
            try:
                depth += self.channel.queue_declare(
                    queue=amqp.reactor_queue_name(name, self.namespace),
                    passive=True).message_count
            except Exception:       # not declared yet: a new channel for the next
                self.channel = self.connection.channel()
        return depth

    def idle(self, quiet_seconds=1.0, max_seconds=300.0):
        """Wait until every event so far is handled: nothing unsent in the
        outbox, no message ready in a reactor's queue, and the workers (and the
        mail-in process's relay) then (almost) idle for ``quiet_seconds``.
        Returns the seconds waited."""
        from forge.model import session
        from forge.model.outbox import OutboxEvent
        started = time.perf_counter()

        def backlog():
            try:
                return self.queue_depth() or session.db[
                    OutboxEvent.__mongometa__.name].find_one({"sent": False}) is not None
            finally:
                session.close()

        def busy_cpu():
            return sum(worker.threads()[1] for worker in self.workers)
        return wait_until_quiet(started, backlog, busy_cpu, quiet_seconds, max_seconds)

    def stop(self):
        self.stop_workers()
        self.mail_in.stop()
        if self.connection is not None:
            self.connection.release()
        delete_bus_topology(AMQP, self.registry.forge_reactors, self.namespace)


def broker_pid():
    """The local RabbitMQ's process (beam.smp), or None (not local, not found)."""
    if not AMQP.split("@")[-1].startswith(("127.0.0.1", "localhost")):
        return None
    for pid in os.listdir("/proc"):
        try:
            with open("/proc/%s/comm" % pid) as comm:
                if comm.read().strip() == "beam.smp":
                    return int(pid)
        except (OSError, ValueError):
            continue
    return None


def reactor_name(thread_name):
    if thread_name.startswith("forge-reactor-"):
        return thread_name[len("forge-reactor-"):]
    if thread_name.startswith("forge-bus-relay"):
        return "bus relay"
    if thread_name.startswith("ended threads"):
        return thread_name
    return "worker, other"


class ProcessesMeter:
    """CPU seconds per part, as ``mail_in_meters.CpuMeter`` counts them, over
    the processes of the run (see the module's docstring)."""

    def __init__(self, processes, peer_pid):
        self.processes, self.peer_pid = processes, peer_pid
        self.peer = 0.0

    def sample(self):
        children = [self.processes.mail_in] + self.processes.workers
        broker = self.processes.broker_pid
        self.broker_before = getattr(self, "broker_after", None)
        self.broker_after = cpu_seconds(broker) if broker else None
        return ({child.name: child.threads() for child in children},
                cpu_seconds(self.processes.db_pid), cpu_seconds(self.peer_pid), cpu_seconds())

    def start(self):
        self.before = self.sample()
        return self

    def stop(self):
        children, database, peer, bench = self.sample()
        before_children, before_db, before_peer, before_bench = self.before
        parts = {"smtp server": 0.0, "reactors": 0.0, "database": database - before_db,
                 "bench+sink": peer - before_peer + bench - before_bench}
        self.peer = peer - before_peer
        # the broker's CPU meanwhile: shared with the machine's other users of
        # RabbitMQ (tests, other benches), so printed apart, not in the forge's
        self.broker = (self.broker_after - self.broker_before
                       if self.broker_before is not None else None)
        self.reactors = {}
        for name, (threads, total) in children.items():
            old_threads, old_total = before_children.get(name, ({}, 0.0))
            live = 0.0
            for key, seconds in threads.items():
                used = seconds - old_threads.get(key, 0.0)
                live += used
                self._count(parts, name, key[1], used)
            # threads that ended meanwhile (the process's total is stat's ticks):
            # in a worker, the search reactor's tantivy threads
            self._count(parts, name, "ended threads (search's tantivy)",
                        max(0.0, total - old_total - live))
        return parts

    def _count(self, parts, process, thread, seconds):
        if process == "mail-in":
            if thread.startswith("forge-bus-relay"):
                parts["reactors"] += seconds
                self.reactors["bus relay (mail-in)"] = \
                    self.reactors.get("bus relay (mail-in)", 0.0) + seconds
            else:
                parts["smtp server"] += seconds
            return
        parts["reactors"] += seconds
        name = reactor_name(thread)
        self.reactors[name] = self.reactors.get(name, 0.0) + seconds
