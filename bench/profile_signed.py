"""CPU per signed-in page, every tool row in one process (issue 18's render path).

    python bench/profile_signed.py MONGO_PORT TARGETS_FILE [-n 100] [--db-pid PID]
                                   [--only REGEX] [--profile DIR] [--compare ROUNDS]
    python bench/profile_signed.py MONGO_PORT TARGETS_FILE --trees BEFORE AFTER [--rounds 3] ...

Builds the forge with the benchmark settings (``bench/forge_settings.py``),
signs in as the benchmark member, and for each signed-in row of the targets
file (written by ``bench/seed.py``) warms up, then GETs the page ``n`` times in
one thread: prints the forge's CPU ms and the database server's CPU ms per
request (``--db-pid``), without a profiler.  ``--profile DIR`` then profiles
each row with cProfile (CPU time) and writes ``DIR/<label>.txt``, the top
functions by cumulative and own time per request.  Quicker than ``bench/run
profile`` for before/after comparisons of one change: one app, every row.

``--trees BEFORE AFTER --rounds R`` compares checkouts: each round runs this
script from each tree in turn (``git worktree`` or an exported copy of the
commit before a change), and prints each row's medians side by side.
"""
import argparse
import cProfile
import io
import os
import pstats
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import forge  # noqa: E402
from forge_settings import settings  # noqa: E402
from profile_page import TIMER, process_cpu, signed_in_app, write_stats  # noqa: E402


def signed_rows(targets_file, only):
    with open(targets_file) as f:
        for line in f:
            label, path, _title, signed = line.rstrip("\n").split("\t")
            if signed == "1" and (not only or re.search(only, label)):
                yield label, path


def measure(browser, path, n, db_pid):
    for _ in range(10):
        browser.get(path, status=200)
    TIMER.names.clear()
    TIMER.active = True
    cpu0, db0 = time.process_time(), process_cpu(db_pid)
    for _ in range(n):
        browser.get(path, status=200)
    forge_ms = 1000 * (time.process_time() - cpu0) / n
    db_ms = 1000 * (process_cpu(db_pid) - db0) / n
    TIMER.active = False
    commands = ", ".join("%s %.1f" % (k, v / n) for k, v in TIMER.names.most_common())
    return forge_ms, db_ms, commands


def profile(browser, path, n, out_file):
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    for _ in range(n):
        browser.get(path, status=200)
    profiler.disable()
    profiler.dump_stats(out_file.replace(".txt", ".pstats"))
    out = io.StringIO()
    write_stats(out, pstats.Stats(profiler), n, 70, "CPU time of the forge process")
    with open(out_file, "w") as f:
        f.write(out.getvalue())


def compare(app, browser, args):
    """Each row with the store off (a store of size 0 keeps nothing) and on,
    alternating, so that the machine's load weighs on both alike."""
    from statistics import median
    from forge.fragments import GenerationStore
    print("%-18s %22s %22s" % ("row", "store off: forge+db ms", "store on: forge+db ms"))
    for label, path in signed_rows(args.targets, args.only):
        totals = {0: [], 1: []}
        for _ in range(args.compare):
            for on in (0, 1):
                app.registry.forge_generation_store = GenerationStore(
                    size=20000 if on else 0)
                forge_ms, db_ms, _ = measure(browser, path, args.n, args.db_pid)
                totals[on].append((forge_ms, db_ms))
        cells = ["%7.2f + %5.2f = %6.2f" % (median(f for f, _ in totals[on]),
                                            median(d for _, d in totals[on]),
                                            median(f + d for f, d in totals[on]))
                 for on in (0, 1)]
        print("%-18s %22s %22s" % (label, cells[0], cells[1]), flush=True)


def compare_trees(args, script_of=None):
    """Each row served by each tree in turn (a process per tree and round, the
    tree first on ``PYTHONPATH``), so that the machine's load weighs on all
    alike; prints the medians of forge, database and total CPU ms.
    ``script_of(tree)``: the script to run (default: the tree's own copy of
    this one)."""
    import subprocess
    from statistics import median
    rows = {}
    for _ in range(args.rounds):
        for tree in args.trees:
            script = script_of(tree) if script_of else os.path.join(
                tree, "bench", "profile_signed.py")
            command = [sys.executable, script,
                       str(args.mongo_port), args.targets, "-n", str(args.n)]
            command += ["--db-pid", str(args.db_pid)] if args.db_pid else []
            command += ["--only", args.only] if args.only else []
            env = dict(os.environ, PYTHONPATH=os.path.abspath(tree))
            out = subprocess.run(command, env=env, cwd="/", capture_output=True, text=True,
                                 check=True).stdout
            for line in out.splitlines():
                cells = line.split()
                if len(cells) >= 4 and cells[0] != "row":
                    rows.setdefault(cells[0], {}).setdefault(tree, []).append(
                        tuple(float(c) for c in cells[1:4]))
    print("%-18s" % "row" + "".join("%26s" % os.path.basename(t.rstrip("/"))[-24:]
                                    for t in args.trees))
    for label, by_tree in rows.items():
        print("%-18s" % label + "".join(
            "%26s" % ("%5.2f + %4.2f = %5.2f" % tuple(
                median(m[i] for m in by_tree[t]) for i in range(3)))
            for t in args.trees), flush=True)


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mongo_port", type=int)
    parser.add_argument("targets")
    parser.add_argument("-n", type=int, default=100)
    parser.add_argument("--db-pid", type=int)
    parser.add_argument("--only")
    parser.add_argument("--profile", help="a directory for per-row cProfile summaries")
    parser.add_argument("--compare", type=int, metavar="ROUNDS",
                        help="alternate ROUNDS rounds with the generation store "
                             "(forge.fragments) off and on; print the medians")
    parser.add_argument("--trees", nargs="+", metavar="DIR",
                        help="checkouts to compare (their own bench/profile_signed.py, each "
                             "in its own process, alternating); with --rounds")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv[1:])
    if args.trees:
        return compare_trees(args)
    app = forge.main({}, **settings(args.mongo_port))
    browser = signed_in_app(app, True)
    if args.compare:
        return compare(app, browser, args)
    print("%-18s %10s %10s %10s  %s" % ("row", "forge ms", "db ms", "total ms", "commands/req"))
    for label, path in signed_rows(args.targets, args.only):
        forge_ms, db_ms, commands = measure(browser, path, args.n, args.db_pid)
        print("%-18s %10.2f %10.2f %10.2f  %s" % (label, forge_ms, db_ms, forge_ms + db_ms,
                                                 commands), flush=True)
        if args.profile:
            os.makedirs(args.profile, exist_ok=True)
            profile(browser, path, args.n, os.path.join(args.profile, label + ".txt"))


if __name__ == "__main__":
    main(sys.argv)
