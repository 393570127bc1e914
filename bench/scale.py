#!/usr/bin/env python3
"""Cost flat as data grows (issue 18 item 3): the same pages at 1,000, 10,000
and 100,000 tickets (and 1,000 projects) on the embedded database server.

    bench/scale.py                          # sizes 1000,10000,100000 interleaved, and
                                            # 1000 again (A/A); 8 epochs, 80 requests a
                                            # row and size in blocks of 5 (~7 min)
    SIZES=1000,10000 N=20 EPOCHS=2 bench/scale.py   # quicker
    bench/scale.py --sequential             # one size after another (the old way)
    bench/scale.py --queries                # also list every query of each page, with
                                            # the declared index it uses and nx's plan
                                            # (sequential)

For each size a database is seeded once by ``bench/seed_scale.py`` and kept
under ``$SCALE_CACHE`` (default ``/tmp/forge-scale``, one directory per size;
delete it after changing the seeding); each measurement runs on a fresh copy
of it, so sign-ins and sessions never change the kept one.  The pages: the
filtered ticket list (third page of ``status:open label:ui``), ticket #1 (20
comments), the site search, the project's activity page and its home, each
signed in as a project member and anonymously with the page cache off (the
render path either way).  Each page is measured twice: as it is served while
nothing is written (the pieces kept by ``forge.fragments``), and ``-cold``,
with those pieces dropped before each request as a write drops them (its
queries and rendering every time).

Interleaved (the default): every size is served at once, each by its own
nx-27017 and its own forge process (``scale_measure.py --worker``, WebTest),
all on CPU 1 with ``--pin``; this process asks them in turn for blocks of
``--block`` requests (after ``--warm`` 2 untimed ones): for each round, for
each row, each size once, the order of the sizes turning every round.  So
whatever else the machine does hits every size alike, within a second of each
other.  Each request's CPU is read from the CPU clocks of its forge process and
its nx-27017 (nanoseconds, all threads) around it.  A process keeps its own
speed for its life (up to ~20% apart for two serving the same database), so the
run is ``--epochs`` epochs, each starting every worker afresh, and the smallest
size is served twice (``--no-control`` to not): the A/A column is the noise
floor, what the method cannot tell apart.  Per row and size: p50 and p99 wall
ms and the median CPU ms a request; then the ratio of the largest size to the
smallest: of the medians over all requests, of the means, and per epoch and
per block (median, min and max).  Target <= 1.3.

Sequential (``--sequential``, ``--queries``): one size after another, in one
process (``measure``) against nx-27017 on its own CPU, warmed up, then ``N``
requests one after another: p50 and p99 wall ms, and CPU ms per request of
the forge plus nx-27017 (``/proc``).
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
VENV_PY = os.path.join(ROOT, ".venv", "bin", "python")
if __name__ == "__main__" and os.path.exists(VENV_PY) and \
        os.path.realpath(sys.prefix) != os.path.realpath(os.path.join(ROOT, ".venv")):
    os.execv(VENV_PY, [VENV_PY] + sys.argv)     # the forge and nx-27017 live in .venv
PY = sys.executable
TARGET_RATIO = 1.3

from scale_servers import Database, Worker, pinned, seeded_copy  # noqa: E402

PAGES = [
    ("list", "/p/d1/tickets/?q=status:open%20label:ui&page=3", "Seeded ticket"),
    ("ticket", "/p/d1/tickets/1/", "Benchmark ticket with twenty comments"),
    ("search", "/@@search?q=benchmark", "Benchmark ticket"),
    ("activity", "/p/d1/@@activity", "Activity"),
    ("home", "/p/d1/", "Depth 1"),
]


def measure_size(size, args):
    work = seeded_copy(size, args.projects, args.cache, args.pin)
    db = Database(work, args.pin)
    try:
        cmd = [PY, os.path.join(BENCH, "scale_measure.py"), str(db.port), str(db.proc.pid),
               "-n", str(args.n), "--cold", str(args.cold or args.n)] + \
            (["--queries"] if args.queries else [])
        out = subprocess.run(pinned(cmd, 1 if args.pin else None), env=db.env(), check=True,
                             stdout=subprocess.PIPE, text=True).stdout
    finally:
        db.stop()
        shutil.rmtree(work, ignore_errors=True)
    rows = {}
    for line in out.splitlines():
        if line.startswith("{"):
            row = json.loads(line)
            rows[row["row"]] = row
        else:
            print(line)
    return rows


def interleaved(sizes, args):
    """[{row: {"walls": [...], "cpu": [...], "blocks": [median CPU ms a block],
    "epochs": [[CPU ms a request] an epoch]}}], one a column of ``sizes`` (a
    size may come twice: the same database served by two workers, the A/A
    check).  Each epoch starts every worker afresh (a new copy of its database,
    new processes): a process keeps its own speed for its life (memory layout,
    what it has cached), up to 20% apart between two processes serving the same
    database, so the sizes are compared over several."""
    results, rows = None, None
    rounds = max(1, -(-args.n // (args.block * args.epochs)))
    cold_block = max(1, -(-(args.cold or args.n) // (rounds * args.epochs)))
    for epoch in range(args.epochs):
        workers = []
        try:
            for size in sizes:
                workers.append(Worker(size, args))
            for worker in workers:             # each warms every row up, then answers
                ready = worker.answer()
                rows = ready["rows"]
                if not ready["forge"].startswith(os.path.join(args.code, "")):
                    sys.exit("the worker runs %s, not the code in %s" % (ready["forge"],
                                                                         args.code))
            if results is None:
                results = [{row: {"walls": [], "cpu": [], "blocks": [], "epochs": []}
                            for row in rows} for _size in sizes]
            for column in results:
                for kept in column.values():
                    kept["epochs"].append([])
            for round_ in range(rounds):
                turn = (epoch * rounds + round_) % len(workers)
                order = workers[turn:] + workers[:turn]
                for row in rows:
                    n = cold_block if row.endswith("-cold") else args.block
                    for worker in order:
                        got = worker.ask(row, n, args.warm)
                        kept = results[workers.index(worker)][row]
                        kept["walls"] += got["walls"]
                        kept["cpu"] += got["cpu"]
                        kept["epochs"][-1] += got["cpu"]
                        kept["blocks"].append(statistics.median(got["cpu"]))
        finally:
            for worker in workers:
                worker.stop()
        print("epoch %d/%d done (load %s)" % (epoch + 1, args.epochs, loadavg()), flush=True)
    return results


def percentile(values, fraction):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(fraction * (len(values) - 1))))]


def ratios(a, b):
    """The CPU ratio of column b to column a: of the medians over all requests,
    of the means, and per epoch and per block (median, min, max)."""
    median = statistics.median
    by_epoch = [median(y) / median(x) for x, y in zip(a["epochs"], b["epochs"])]
    by_block = [y / x for x, y in zip(a["blocks"], b["blocks"])]
    return (median(b["cpu"]) / median(a["cpu"]), statistics.mean(b["cpu"]) / statistics.mean(a["cpu"]),
            (median(by_epoch), min(by_epoch), max(by_epoch)),
            (median(by_block), min(by_block), max(by_block)))


def report_interleaved(columns, results, control):
    """``control``: the last column is the first size again (the A/A check)."""
    sizes = columns[:-1] if control else columns
    first, last = 0, len(sizes) - 1
    heads = ["%d tickets" % s for s in sizes] + (["%d again (A/A)" % sizes[0]] if control else [])
    print("\n%-20s" % "row" + "".join("%26s" % h for h in heads)
          + "  CPU %d/%d: medians  means  epochs: median [min-max]  blocks: median "
          "[min-max]  p50%s" % (sizes[last], sizes[first], "   A/A: medians [epochs]"
                                if control else ""))
    print("%-20s" % "" + "".join("%26s" % "p50 / p99 / CPU ms" for _ in heads))
    worst = {"medians": 0.0, "epochs": 0.0, "aa": 0.0}
    for row in results[0]:
        cells = ["%26s" % ("%.1f / %.1f / %.2f" % (
            percentile(r["walls"], 0.5), percentile(r["walls"], 0.99), statistics.median(r["cpu"])))
            for r in (result[row] for result in results)]
        a, b = results[first][row], results[last][row]
        medians, means, epochs, blocks = ratios(a, b)
        worst["medians"] = max(worst["medians"], medians)
        worst["epochs"] = max(worst["epochs"], epochs[0])
        aa = ""
        if control:
            aa_medians, _m, aa_epochs, _b = ratios(a, results[-1][row])
            worst["aa"] = max(worst["aa"], abs(aa_medians - 1))
            aa = "   %4.2f [%.2f-%.2f]" % (aa_medians, aa_epochs[1], aa_epochs[2])
        print("%-20s%s  %16.2f %6.2f  %8.2f [%.2f-%.2f]  %8.2f [%.2f-%.2f]  %4.2f%s%s" % (
            row, "".join(cells), medians, means, *epochs, *blocks,
            percentile(b["walls"], 0.5) / percentile(a["walls"], 0.5), aa,
            "" if medians <= TARGET_RATIO else "  (misses)"))
    print("\nworst CPU ratio %d/%d: %.2f of the medians, %.2f of the epochs' median "
          "(target <= %.1f)%s" % (sizes[last], sizes[first], worst["medians"], worst["epochs"],
                                  TARGET_RATIO, "; the A/A check (the same database, two "
                                  "workers) was up to %.2f off 1" % worst["aa"] if control else ""))
    return worst["medians"]


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def report(sizes, results):
    first, last = sizes[0], sizes[-1]
    head = "%-16s" % "row" + "".join("%26s" % ("%d tickets" % s) for s in sizes)
    print("\n" + head + "   ratio %d/%d (CPU, p50)" % (last, first))
    print("%-16s" % "" + "".join("%26s" % "p50 / p99 / CPU ms" for _ in sizes))
    worst = 0.0
    for label in results[first]:
        cells = []
        for size in sizes:
            r = results[size].get(label)
            cells.append("%26s" % ("%.1f / %.1f / %.2f" % (r["p50"], r["p99"], r["cpu"])
                                   if r else "-"))
        a, b = results[first][label], results[last].get(label)
        ratio = ""
        if b:
            cpu_ratio, p50_ratio = b["cpu"] / a["cpu"], b["p50"] / a["p50"]
            worst = max(worst, cpu_ratio)
            ratio = "%5.2f  %5.2f%s" % (cpu_ratio, p50_ratio,
                                        "" if cpu_ratio <= TARGET_RATIO else "  (misses)")
        print("%-16s%s   %s" % (label, "".join(cells), ratio))
    print("\nworst CPU ratio %.2f (target <= %.1f)" % (worst, TARGET_RATIO))
    return worst


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=os.environ.get("SIZES", "1000,10000,100000"))
    parser.add_argument("--projects", type=int, default=int(os.environ.get("PROJECTS", 1000)))
    parser.add_argument("-n", type=int, default=int(os.environ.get("N", 80)),
                        help="requests a row and size")
    parser.add_argument("--cold", type=int, default=int(os.environ.get("COLD", 0)),
                        help="requests of the -cold rows (default -n)")
    parser.add_argument("--block", type=int, default=int(os.environ.get("BLOCK", 5)),
                        help="interleaved: requests a block (one size, one row, one round)")
    parser.add_argument("--warm", type=int, default=int(os.environ.get("WARM", 2)),
                        help="interleaved: untimed requests ahead of each block")
    parser.add_argument("--epochs", type=int, default=int(os.environ.get("EPOCHS", 8)),
                        help="interleaved: times every worker is started afresh")
    parser.add_argument("--no-control", dest="control", action="store_false",
                        help="interleaved: no second worker on the smallest size (A/A)")
    parser.add_argument("--hash-seed", default=os.environ.get("PYTHONHASHSEED", "0"),
                        help="PYTHONHASHSEED of every forge and nx-27017 process ('random': "
                        "each its own), so their dicts and sets are laid out alike")
    parser.add_argument("--worktree", dest="snapshot", action="store_false",
                        help="interleaved: serve the working tree as it is (default: a copy "
                        "of HEAD, so others' edits during the run do not reach later epochs)")
    parser.add_argument("--sequential", action="store_true",
                        help="one size after another, as before (implied by --queries)")
    parser.add_argument("--cache", default=os.environ.get("SCALE_CACHE", "/tmp/forge-scale"))
    parser.add_argument("--no-pin", dest="pin", action="store_false")
    parser.add_argument("--queries", action="store_true",
                        help="print each page's queries with their index and nx's plan")
    args = parser.parse_args(argv[1:])
    sizes = [int(s) for s in args.sizes.split(",")]
    os.environ["PYTHONHASHSEED"] = args.hash_seed      # inherited by every process started
    load0 = loadavg()
    started = time.time()
    git = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                         stdout=subprocess.PIPE, text=True).stdout.strip()
    if not (args.sequential or args.queries):
        for size in sizes:               # seed (or find) them all before serving any
            shutil.rmtree(seeded_copy(size, args.projects, args.cache, args.pin),
                          ignore_errors=True)
        columns = sizes + ([sizes[0]] if args.control else [])
        args.code = ROOT
        if args.snapshot:
            args.code = tempfile.mkdtemp(prefix="forge-scale-code-")
            subprocess.run("git -C %s archive HEAD | tar -x -C %s" % (ROOT, args.code),
                           shell=True, check=True)
        try:
            results = interleaved(columns, args)
        finally:
            if args.snapshot:
                shutil.rmtree(args.code, ignore_errors=True)
        print("\n== bench/scale.py %s, git %s%s, interleaved: all sizes served at once%s, "
              "%d epochs (fresh processes) of %d rounds of (each row: each size, a block of "
              "%d requests after %d untimed), forge and nx-27017 on CPU %s, PYTHONHASHSEED=%s; "
              "load average %s at start, %s at the end; %.0f s"
              % (" ".join(argv[1:]), git, "" if args.snapshot else " (working tree)",
                 " (and the smallest twice)" if args.control else "",
                 args.epochs, -(-args.n // (args.block * args.epochs)), args.block, args.warm,
                 "1" if args.pin else "any", args.hash_seed, load0, loadavg(),
                 time.time() - started))
        print("CPU ms = the median a request of the forge process + nx-27017 (their CPU "
              "clocks); anon = not signed in, page cache off (rendered every time)")
        report_interleaved(columns, results, args.control)
        return
    results = {}
    for size in sizes:
        print("== %d tickets" % size, flush=True)
        results[size] = measure_size(size, args)
    load1 = loadavg()
    print("\n== bench/scale.py, git %s, %d requests a row one after another, in one "
          "process (WebTest), forge and nx-27017 on CPU %s; load average %s at start, %s "
          "at the end; %.0f s" % (git, args.n, "1" if args.pin else "any", load0, load1,
                                  time.time() - started))
    print("CPU ms = the forge process + nx-27017 per request; anon = not signed in, "
          "page cache off (rendered every time)")
    report(sizes, results)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
