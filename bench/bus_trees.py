"""The bus's CPU per event, one source tree against another, alternating in
one run (issue 18 item 6: "CPU per event across all processes halved").

    .venv/bin/python bench/bus.py --trees ef92724 . [--rounds 3]
        [--events 1000] [--rate 100] [--seconds 3] [--events-per-save 1]

Each tree is a directory (``.``: this working tree, as it is) or a commit,
checked out for the run with ``git worktree add --detach`` in a temporary
directory and removed at the end.  Each round measures every tree in turn
(A B A B ...), each in a process of its own (``bench/bus_tree_run.py``: a
fresh embedded nx-27017, that tree's forge saving and relaying, a
``forge worker`` of that tree), so the machine's other work falls on both
alike.  Printed per tree (median over the rounds): CPU ms per event of the
saving process (its saves, its relay thread, all its threads), the database
server and the worker, and their sum, for a burst of ``--events`` and for
``--rate`` events a second during ``--seconds``; database commands per event;
events per second end to end; and each figure of the last tree against the
first's (ratio).  Only forge APIs that both trees have are used (the
benchmark's reactor is ``bench/bus_plugin.py``).
"""
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
PARTS = ("saves (change)", "relay thread", "saving process, all threads",
         "database server", "forge worker")


def checkout(spec, into):
    """A directory holding tree ``spec`` (a directory, or a commit added as a
    worktree under ``into``); the second value says whether to remove it."""
    if os.path.isdir(spec):
        return os.path.abspath(spec), False
    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--verify", spec + "^{commit}"],
                            check=True, capture_output=True, text=True).stdout.strip()
    path = os.path.join(into, commit[:10])
    subprocess.run(["git", "-C", ROOT, "worktree", "add", "--detach", path, commit],
                   check=True, capture_output=True)
    return path, True


def remove(path):
    subprocess.run(["git", "-C", ROOT, "worktree", "remove", "--force", path],
                   capture_output=True)
    shutil.rmtree(path, ignore_errors=True)


def run_one(tree, args):
    command = [sys.executable, os.path.join(BENCH, "bus_tree_run.py"), "--tree", tree,
               "--events", str(args.events), "--events-per-save", str(args.events_per_save),
               "--rate", str(args.rate), "--seconds", str(args.seconds),
               "--savers", str(args.savers)]
    if args.only_bench_reactor:
        command.append("--only-bench-reactor")
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    if done.returncode:
        sys.stderr.write(done.stdout[-3000:] + done.stderr[-3000:])
        raise SystemExit("bus_tree_run.py failed for %s" % tree)
    return json.loads(done.stdout.strip().splitlines()[-1])


def total(cpu):
    """All processes: the saving process (saves, relay and its other
    threads), the database server and the worker."""
    return sum(cpu.get(part) or 0.0 for part in
               ("saving process, all threads", "database server", "forge worker"))


def compare(args, loadavg):
    workdir = tempfile.mkdtemp(prefix="forge-bus-trees-")
    trees, made = [], []
    try:
        for spec in args.trees:
            path, added = checkout(spec, workdir)
            trees.append((spec, path))
            if added:
                made.append(path)
        load_before = loadavg()
        runs = {spec: [] for spec, _path in trees}
        for round_ in range(args.rounds):
            for spec, path in trees:
                figures = run_one(path, args)
                runs[spec].append(figures)
                print("round %d %-12s burst %.2f ms/event, paced %.2f ms/event, "
                      "%.0f events/s end to end (load %s)" % (
                          round_ + 1, spec, total(figures["burst"]["cpu"]),
                          total(figures["paced"]["cpu"]), figures["e2e_rate"], loadavg()),
                      flush=True)
        report(args, trees, runs, load_before, loadavg())
    finally:
        for path in made:
            remove(path)
        shutil.rmtree(workdir, ignore_errors=True)


def median_of(runs, get):
    values = [get(run) for run in runs]
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def report(args, trees, runs, load_before, load_after):
    first, last = trees[0][0], trees[-1][0]
    rows = []
    for step in ("burst", "paced"):
        label = ("burst of %d events" % args.events if step == "burst"
                 else "paced %.0f events/s for %.0f s" % (args.rate, args.seconds))
        rows.append(("CPU ms per event, %s" % label, None))
        for part in PARTS:
            rows.append(("  " + part, {
                spec: median_of(runs[spec], lambda r: r[step]["cpu"].get(part))
                for spec, _p in trees}))
        rows.append(("  all processes", {
            spec: median_of(runs[spec], lambda r: total(r[step]["cpu"])) for spec, _p in trees}))
        rows.append(("database commands per event, %s" % step,
                     {spec: median_of(runs[spec], lambda r: sum(
                         sum(c.values()) for c in r[step]["commands"].values())
                         / r[step]["events"]) for spec, _p in trees}))
    rows.append(("events/s end to end (burst)",
                 {spec: median_of(runs[spec], lambda r: r["e2e_rate"]) for spec, _p in trees}))
    for quantile in ("p50", "p99"):
        rows.append(("paced latency %s ms" % quantile,
                     {spec: median_of(runs[spec], lambda r: 1000 * r["paced"][quantile])
                      for spec, _p in trees}))
    width = max(len(label) for label, _v in rows)
    print("\nBus CPU per event, trees alternating (%d rounds, medians; %d per save, %s)" % (
        args.rounds, args.events_per_save, "the no-op reactor alone" if args.only_bench_reactor
        else "the no-op reactor and the forge's own"))
    for spec, path in trees:
        print("  %-12s %s (%s)" % (spec, path, runs[spec][0]["worker"].split(" on ")[0]))
    print("  %s  %s  %s" % ("".ljust(width), "  ".join("%12s" % spec for spec, _p in trees),
                            "%s/%s" % (last, first)))
    for label, values in rows:
        if values is None:
            print("  " + label)
            continue
        cells = "  ".join("%12s" % ("-" if values[spec] is None else "%.2f" % values[spec])
                          for spec, _p in trees)
        ratio = ("%.2f" % (values[last] / values[first])
                 if values[first] and values[last] is not None else "")
        print("  %s  %s  %s" % (label.ljust(width), cells, ratio))
    print("  load average before / after: %s / %s" % (load_before, load_after))
