"""Event bus benchmark: the raw kombu ceiling vs PyForge end to end.

    .venv/bin/python bench/bus.py [--events N] [--rate 500] [--seconds 10]
                                  [--savers 1] [--events-per-save 1]
                                  [--only-bench-reactor]
    .venv/bin/python bench/bus.py --trees BEFORE AFTER [--rounds 3] [...]

Against the same RabbitMQ (``FORGE_BENCH_AMQP_URL``, default 127.0.0.1:5672),
in one run:

1. **raw kombu** (``bench/bus_raw.py``): N small (~250 bytes) persistent
   messages published to a durable queue and consumed with acks by a second
   connection: with publisher confirms one at a time, pipelined by ``BATCH``
   (what the relay does), and without confirms for reference;
2. **PyForge end to end** (``bench/bus_pipeline.py``): N events from N /
   ``--events-per-save`` saves (units of work, ``forge.unit_of_work.change``)
   in this process, by ``--savers`` threads, whose relay thread publishes
   them; a ``forge worker`` process runs a no-op reactor
   (``bench/bus_plugin.py``) that writes the save-to-reactor latency to a
   file, and the forge's own reactors on ``#`` unless ``--only-bench-reactor``;
3. the same pipeline **paced** at ``--rate`` events per second for
   ``--seconds``: p50/p99 latency from save to reactor.

The database is a fresh embedded nx-27017 in a temp dir, or a database of its
own on the MongoDB server that ``FORGE_BENCH_MONGODB_URL`` names (then the
forge's side, saves, relay and worker, all use that server, and the database
server's CPU is not reported; the first row reads back, with a client of
the bench's own, the outbox records the saves wrote and the markers the
worker wrote there).  The table ends with what step 2 cost per
event, counted until the worker has gone quiet (every reactor done): CPU ms
(``/proc``) of the saves, the relay thread, the whole saving process, the
database server and the worker; the database commands each sent (a pymongo
``CommandListener`` in this process and in the worker); and ``/proc/loadavg``.

``--trees BEFORE AFTER`` (``bench/bus_trees.py``) instead measures step 2
and 3's cost per event for each tree (a directory or a commit), alternating
for ``--rounds``, and prints the ratios.
"""
import argparse
import os
import shutil
import statistics
import sys
import tempfile

from bus_commands import per_event
from bus_pipeline import AMQP, Pipeline, loadavg
from bus_raw import BATCH, raw_kombu

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def percentile(values, p):
    return values[min(len(values) - 1, int(round(p / 100.0 * (len(values) - 1))))]


def end_to_end(args):
    """Steps 1-3 for this tree: the table's rows."""
    sys.path.insert(0, ROOT)
    load_before = loadavg()
    raw_each = raw_kombu(AMQP, args.events, confirms="each")
    raw_pipelined = raw_kombu(AMQP, args.events, confirms="pipelined")
    raw_unconfirmed = raw_kombu(AMQP, args.events, confirms="none")
    workdir = tempfile.mkdtemp(prefix="forge-bus-bench-")
    pipeline = Pipeline(workdir, savers=max(1, args.savers),
                        only_bench_reactor=args.only_bench_reactor,
                        events_per_save=args.events_per_save)
    events = pipeline.saves_for(args.events) * args.events_per_save   # what step 2 emits
    try:
        pipeline.throughput(200)                         # warm up
        (save_rate, e2e_rate), cpu, commands = pipeline.measured(
            lambda: pipeline.throughput(args.events), events)
        achieved, latencies = pipeline.paced(args.rate, args.seconds)
        written = pipeline.database_check()
        database = "%s %s, database %s: %d outbox records, %d worker markers" % (
            "FORGE_BENCH_MONGODB_URL" if pipeline.db_pid is None else "embedded nx-27017",
            pipeline.db.url.split("@")[-1], pipeline.database, written["outbox records"],
            written["worker markers"])
    finally:
        pipeline.close()
        shutil.rmtree(workdir, ignore_errors=True)

    rows = [
        ("database", database),
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
    for name, spent in cpu.items():
        rows.append(("CPU per event, %s" % name, "%.2f ms" % spent))
    everything = sum(cpu.get(name) or 0.0 for name in
                     ("saving process, all threads", "database server", "forge worker"))
    rows.append(("CPU per event, all processes", "%.2f ms" % everything))
    total_commands = 0
    for sender, spent in commands.items():
        total_commands += sum(spent.values())
        rows.append(("database commands per event, %s" % sender, per_event(spent, events)))
    rows.append(("database commands per event, all", "%.2f" % (total_commands / events)))
    rows.append(("load average before / after", "%s / %s" % (load_before, loadavg())))
    width = max(len(r[0]) for r in rows)
    print("Event bus benchmark (%d events, %d per save, %d saver%s, %s, RabbitMQ %s)" % (
        events, args.events_per_save, args.savers, "" if args.savers == 1 else "s",
        "the no-op reactor alone" if args.only_bench_reactor
        else "the no-op reactor and the forge's own", AMQP.split("@")[-1]))
    for label, value in rows:
        print("  %s  %s" % (label.ljust(width), value))


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
    parser.add_argument("--trees", nargs="+", metavar="TREE",
                        help="compare these trees (directories or commits), alternating")
    parser.add_argument("--rounds", type=int, default=3,
                        help="with --trees: how many times each tree is measured")
    args = parser.parse_args(argv)
    if args.events_per_save < 1 or args.events < args.events_per_save:
        parser.error("--events-per-save must be at least 1 and at most --events")
    if args.trees:
        from bus_trees import compare
        compare(args, loadavg)
    else:
        end_to_end(args)


if __name__ == "__main__":
    main()
