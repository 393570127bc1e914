"""One tree's bus figures as JSON (``bench/bus_trees.py`` runs this once per
tree and round, each in a process of its own):

    .venv/bin/python bench/bus_tree_run.py --tree DIR [--events N] ...

A burst of ``--events`` and ``--rate`` events a second for ``--seconds``
through ``bus_pipeline.Pipeline`` of that tree, each with its CPU ms and
database commands per event.
"""
import argparse
import json
import shutil
import tempfile

from bus_pipeline import ROOT, Pipeline


def measure(tree, events, events_per_save=1, rate=100.0, seconds=3.0, savers=1,
            only_bench_reactor=False):
    """One tree's figures: a burst of ``events`` and ``rate`` events a second
    for ``seconds``, each with its CPU ms and database commands per event."""
    workdir = tempfile.mkdtemp(prefix="forge-bus-bench-")
    pipeline = Pipeline(workdir, savers=savers, only_bench_reactor=only_bench_reactor,
                        events_per_save=events_per_save, tree=tree)
    try:
        pipeline.throughput(200)                         # warm up
        burst = pipeline.saves_for(events) * events_per_save
        (save_rate, e2e_rate), burst_cpu, burst_commands = pipeline.measured(
            lambda: pipeline.throughput(events), burst)
        paced = pipeline.saves_for(int(rate * seconds)) * events_per_save
        (achieved, latencies), paced_cpu, paced_commands = pipeline.measured(
            lambda: pipeline.paced(rate, seconds), paced)
        return {"tree": tree, "forge": pipeline.forge_file, "worker": pipeline.worker_line,
                "save_rate": save_rate, "e2e_rate": e2e_rate,
                "burst": {"events": burst, "cpu": burst_cpu, "commands": burst_commands},
                "paced": {"events": paced, "achieved": achieved, "cpu": paced_cpu,
                          "commands": paced_commands,
                          "p50": latencies[len(latencies) // 2], "p99": latencies[
                              min(len(latencies) - 1, int(0.99 * len(latencies)))]}}
    finally:
        pipeline.close()
        shutil.rmtree(workdir, ignore_errors=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description="One tree's bus figures as JSON.")
    parser.add_argument("--tree", default=ROOT)
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--events-per-save", type=int, default=1)
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--savers", type=int, default=1)
    parser.add_argument("--only-bench-reactor", action="store_true")
    args = parser.parse_args(argv)
    figures = measure(args.tree, args.events, args.events_per_save, args.rate, args.seconds,
                      args.savers, args.only_bench_reactor)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
