"""What an idle bus costs: a process running every reactor's worker thread
and the relay thread, with nothing to do.

    .venv/bin/python bench/bus_idle.py [--seconds 10] [--rounds 3]

Against RabbitMQ (``FORGE_BENCH_AMQP_URL``, default 127.0.0.1:5672) and a
fresh embedded nx-27017, one process builds the forge (its own reactors and
the tools', as ``forge worker`` runs them), starts the workers
(``WorkerPool``) and the relay thread, and then, alternating, measures
``--seconds`` of idling with the waits as they were before the back-off
(each worker waits 0.1 s for the broker, the relay reads the outbox every
``forge.bus.poll_seconds``) and as they are now (``IDLE_WAIT_SECONDS``,
``IDLE_POLL_SECONDS``): CPU ms per idle second of this process (workers and
relay: ``schedstat``) and of the database server (the relay's polls),
and ``/proc/loadavg`` before and after.
"""
import argparse
import os
import socket
import sys
import tempfile
import time
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
AMQP = os.environ.get("FORGE_BENCH_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//")


def cpu_seconds(pid):
    """CPU seconds of a process, all its threads (``/proc/PID/task/*/schedstat``:
    nanoseconds, where ``/proc/PID/stat`` counts 10 ms ticks)."""
    total = 0
    for task in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/schedstat" % (pid, task)) as f:
                total += int(f.read().split()[0])
        except OSError:
            pass            # a thread that ended meanwhile
    return total / 1e9


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


NOW_MEMORY_POLL = None


def set_waits(backed_off, poll_seconds):
    """The idle waits as now (``backed_off``) or as before the back-off."""
    from forge.bus import relay, worker
    worker.IDLE_WAIT_SECONDS = 1.0 if backed_off else worker.WAIT_SECONDS
    # before: memory:// looked at its queue every 0.01 s whatever the wait
    worker.memory_poll_seconds = NOW_MEMORY_POLL if backed_off else (
        lambda wait: worker.MEMORY_POLL_SECONDS)
    relay.IDLE_POLL_SECONDS = 8.0 if backed_off else poll_seconds


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--bus", choices=("amqp", "memory"), default="amqp",
                        help="RabbitMQ, or the in-process bus of forge serve and bench/mail_in.py")
    args = parser.parse_args(argv)
    sys.path.insert(0, ROOT)
    import forge
    from forge.bus.relay import start_thread
    from forge.bus.worker import WorkerPool
    from forge.embedded import EmbeddedMongo
    workdir = tempfile.mkdtemp(prefix="forge-bus-idle-")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    db = EmbeddedMongo(os.path.join(workdir, "db"), port).start()
    namespace = "forge-bench-idle-%s" % uuid.uuid4().hex[:8]
    app = forge.main({}, **{"ming.main.uri": db.url, "ming.main.database": "forge",
                            "forge.secret": "bench", "forge.bus.url": AMQP if args.bus == "amqp" else "memory://",
                            "forge.bus.relay": "off", "forge.bus.namespace": namespace})
    registry = app.registry
    global NOW_MEMORY_POLL
    from forge.bus import worker
    NOW_MEMORY_POLL = worker.memory_poll_seconds
    poll = float(registry.settings["forge.bus.poll_seconds"])
    pool = WorkerPool(registry).start()
    relay = start_thread(registry)
    print("Idle bus (%d reactor threads and the relay thread in one process, %s)"
          % (len(pool.workers), "RabbitMQ " + AMQP.split("@")[-1] if args.bus == "amqp"
             else "memory://"))
    print("  load average before: %s" % loadavg())
    rows = []
    try:
        time.sleep(2)
        for _ in range(args.rounds):
            for backed_off in (False, True):
                set_waits(backed_off, poll)
                time.sleep(max(2.0, 2 * 8.0 if backed_off else 2.0))  # reach the longest wait
                mine, server = cpu_seconds(os.getpid()), cpu_seconds(db.process.pid)
                time.sleep(args.seconds)
                rows.append((backed_off, 1000 * (cpu_seconds(os.getpid()) - mine) / args.seconds,
                             1000 * (cpu_seconds(db.process.pid) - server) / args.seconds))
                print("  %-28s workers+relay %6.2f ms/s   database server %6.2f ms/s" % (
                    "backed off (now)" if backed_off else "0.1 s waits, 1 s polls (before)",
                    rows[-1][1], rows[-1][2]))
    finally:
        pool.stop(5)
        relay.stop()
        if args.bus == "amqp":
            _delete_topology(registry, namespace)
        db.stop()
    print("  load average after: %s" % loadavg())


def _delete_topology(registry, namespace):
    from bus_topology import delete_bus_topology
    delete_bus_topology(AMQP, registry.forge_reactors, namespace)


if __name__ == "__main__":
    main()
