#!/usr/bin/env python3
"""Cost flat as data grows (issue 18 item 3): the same pages at 1,000, 10,000
and 100,000 tickets (and 1,000 projects) on the embedded database server.

    bench/scale.py                          # sizes 1000,10000,100000, 60 requests a row
    SIZES=1000,10000 N=30 bench/scale.py    # quicker
    bench/scale.py --queries                # also list every query of each page, with
                                            # the declared index it uses and nx's plan

For each size a database is seeded once by ``bench/seed_scale.py`` and kept
under ``$SCALE_CACHE`` (default ``/tmp/forge-scale``, one directory per size;
delete it after changing the seeding); each measurement runs on a fresh copy
of it, so sign-ins and sessions never change the kept one.  Then, in one
process (``measure``) against nx-27017 on its own CPU: the filtered ticket
list (third page of ``status:open label:ui``), ticket #1 (20 comments), the
site search, the project's activity page and its home, each signed in as a
project member and anonymously with the page cache off (the render path
either way), warmed up, then ``N`` requests one after another: p50 and p99
wall ms, and CPU ms per request of the forge plus nx-27017.  Each page is
measured twice: as it is served while nothing is written (the pieces kept by
``forge.fragments``), and ``-cold``, with those pieces dropped before each
request as a write drops them (its queries and rendering every time).  The table ends
with each row's ratio of the largest size to the smallest (target <= 1.3).
"""
import argparse
import json
import os
import shutil
import socket
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
NX = os.path.join(os.path.dirname(PY), "nx-27017")
TARGET_RATIO = 1.3

PAGES = [
    ("list", "/p/d1/tickets/?q=status:open%20label:ui&page=3", "Seeded ticket"),
    ("ticket", "/p/d1/tickets/1/", "Benchmark ticket with twenty comments"),
    ("search", "/@@search?q=benchmark", "Benchmark ticket"),
    ("activity", "/p/d1/@@activity", "Activity"),
    ("home", "/p/d1/", "Depth 1"),
]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pinned(cmd, cpu):
    return (["taskset", "-c", str(cpu)] + cmd) if shutil.which("taskset") and cpu else cmd


class Database:
    """nx-27017 on ``data_dir`` (and its search index beside it), pinned to CPU 1."""

    def __init__(self, data_dir, pin):
        self.dir, self.port = data_dir, free_port()
        self.log = open(os.path.join(data_dir, "nx.log"), "a")
        self.proc = subprocess.Popen(
            pinned([NX, "--data-dir", os.path.join(data_dir, "db"), "-p", str(self.port),
                    "--host", "127.0.0.1",
                    # its own pid file: without one nx-27017 refuses to start beside another
                    "--pid-file", os.path.join(data_dir, "nx.pid")], 1 if pin else None),
            stdout=self.log, stderr=subprocess.STDOUT)
        import pymongo
        for _ in range(120):
            try:
                pymongo.MongoClient(port=self.port, serverSelectionTimeoutMS=500) \
                    .admin.command("ping")
                return
            except Exception:
                if self.proc.poll() is not None:
                    sys.exit("nx-27017 exited (see %s/nx.log)" % data_dir)
                time.sleep(0.5)
        sys.exit("nx-27017 did not answer")

    def env(self):
        return dict(os.environ, BENCH_SEARCH_PATH=os.path.join(self.dir, "search"))

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


def seeded_copy(size, projects, cache, pin):
    """A fresh copy of the database of ``size`` tickets, seeding it first if needed."""
    kept = os.path.join(cache, "%d-%d" % (size, projects))
    if not os.path.exists(os.path.join(kept, "seeded")):
        shutil.rmtree(kept, ignore_errors=True)
        os.makedirs(os.path.join(kept, "db"))
        db = Database(kept, pin)
        try:
            print("seeding %d tickets, %d projects into %s" % (size, projects, kept), flush=True)
            subprocess.run([PY, os.path.join(BENCH, "seed_scale.py"), str(db.port),
                            str(size), str(projects)], env=db.env(), check=True)
        finally:
            db.stop()
        open(os.path.join(kept, "seeded"), "w").close()
    work = tempfile.mkdtemp(prefix="forge-scale-%d-" % size)
    for name in ("db", "search"):
        if os.path.exists(os.path.join(kept, name)):
            shutil.copytree(os.path.join(kept, name), os.path.join(work, name))
    return work


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
    parser.add_argument("-n", type=int, default=int(os.environ.get("N", 60)))
    parser.add_argument("--cold", type=int, default=int(os.environ.get("COLD", 0)),
                        help="requests of the -cold rows (default -n)")
    parser.add_argument("--cache", default=os.environ.get("SCALE_CACHE", "/tmp/forge-scale"))
    parser.add_argument("--no-pin", dest="pin", action="store_false")
    parser.add_argument("--queries", action="store_true",
                        help="print each page's queries with their index and nx's plan")
    args = parser.parse_args(argv[1:])
    sizes = [int(s) for s in args.sizes.split(",")]
    with open("/proc/loadavg") as f:
        load0 = " ".join(f.read().split()[:3])
    started = time.time()
    results = {}
    for size in sizes:
        print("== %d tickets" % size, flush=True)
        results[size] = measure_size(size, args)
    with open("/proc/loadavg") as f:
        load1 = " ".join(f.read().split()[:3])
    git = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                         stdout=subprocess.PIPE, text=True).stdout.strip()
    print("\n== bench/scale.py, git %s, %d requests a row one after another, in one "
          "process (WebTest), forge and nx-27017 on CPU %s; load average %s at start, %s "
          "at the end; %.0f s" % (git, args.n, "1" if args.pin else "any", load0, load1,
                                  time.time() - started))
    print("CPU ms = the forge process + nx-27017 per request; anon = not signed in, "
          "page cache off (rendered every time)")
    report(sizes, results)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
