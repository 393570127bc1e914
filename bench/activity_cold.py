#!/usr/bin/env python3
"""The cold activity page: nodes resolved by id against resolved where the entry saw them.

    bench/activity_cold.py                     # 1,000 and 100,000 tickets, 30 requests a row
    SIZES=1000 N=20 bench/activity_cold.py

On the databases ``bench/scale.py`` seeds (kept under ``$SCALE_CACHE``, default
``/tmp/forge-scale``; a fresh copy each run), in one process against nx-27017
(pinned to CPU 1 like ``bench/scale.py``): the project's ``@@activity``
(25 entries) signed in and anonymous, its home (10 recent entries) signed in,
and the site search signed in (it does not resolve through
``forge.visibility``: a control), each ``-cold`` (the generation store emptied
before every request, as any write empties it).  Each row is measured
alternately with the baseline, ``NodeResolver`` reading every artifact by id
first (how it resolved before the entries' ``(tool_id, path)`` were walked
first), and with the resolver as built, ``ROUNDS`` times, on the same database:
CPU ms per request (this process plus nx-27017), p50 wall ms and database
commands per request, and the ratio of built to baseline.
"""
import argparse
import json
import os
import subprocess
import sys
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, BENCH)

ROWS = [
    ("activity-signed-cold", "/p/d1/@@activity", True, "Activity"),
    ("activity-anon-cold", "/p/d1/@@activity", False, "Activity"),
    ("home-signed-cold", "/p/d1/", True, "Depth 1"),
    ("search-signed-cold", "/@@search?q=benchmark", True, "Benchmark ticket"),
]


def by_id_resolver():
    """The baseline: every artifact read by id, then its current path walked."""
    from forge.visibility import NodeResolver

    class ById(NodeResolver):
        def artifact(self, artifact_id, seen_at=(None, None)):
            return super().artifact(artifact_id)
    return ById


def measure_process(port, db_pid, n, rounds):
    from forge.queries.index_coverage import WireQueries
    wire = WireQueries.registered()     # before the app creates its MongoClient
    import forge
    import forge.activity.query as query
    from forge.fragments import generation_store
    from forge_settings import settings
    from profile_page import process_cpu, signed_in_app
    from scale_measure import percentile

    app = forge.main({}, **dict(settings(port), **{"forge.page_cache.max_mb": "0"}))
    browsers = {True: signed_in_app(app, True), False: signed_in_app(app, False)}
    built, baseline = query.NodeResolver, by_id_resolver()
    store = generation_store(app.registry)
    for label, path, signed, title in ROWS:
        browser = browsers[signed]
        figures = {"baseline": [], "built": []}
        for resolver in (baseline, built):          # warm-up, and the page is right
            query.NodeResolver = resolver
            for _ in range(3):
                store.clear()
                page = browser.get(path, status=200)
            if title not in page.text:
                sys.exit("%s does not show %r" % (path, title))
        for _ in range(rounds):
            for name, resolver in (("baseline", baseline), ("built", built)):
                query.NodeResolver = resolver
                walls, cpu = [], 0.0
                for _ in range(n):
                    store.clear()
                    cpu0, db0 = time.process_time(), process_cpu(db_pid)
                    t0 = time.perf_counter()
                    browser.get(path, status=200)
                    walls.append(1000 * (time.perf_counter() - t0))
                    cpu += time.process_time() - cpu0 + process_cpu(db_pid) - db0
                store.clear()
                with wire.capture() as commands:
                    browser.get(path, status=200)
                figures[name].append((1000 * cpu / n, percentile(walls, 0.5), len(commands)))
        query.NodeResolver = built
        print(json.dumps({"row": label, **figures}), flush=True)


def report(size, rows):
    print("\n%d tickets: CPU ms (forge + nx-27017) / p50 ms / commands per request, "
          "the median of the rounds" % size)
    print("%-22s %24s %24s   %s" % ("row", "baseline (by id)", "built (seen at)",
                                     "CPU built/baseline"))
    for row in rows:
        cells = []
        for name in ("baseline", "built"):
            rounds = row[name]
            cpu, p50, commands = (sorted(r[i] for r in rounds)[len(rounds) // 2]
                                  for i in range(3))
            cells.append((cpu, p50, commands))
        print("%-22s %24s %24s   %.2f" % (
            row["row"], *("%.1f / %.1f / %d" % cell for cell in cells),
            cells[1][0] / cells[0][0]))


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=os.environ.get("SIZES", "1000,100000"))
    parser.add_argument("--projects", type=int, default=int(os.environ.get("PROJECTS", 1000)))
    parser.add_argument("-n", type=int, default=int(os.environ.get("N", 10)),
                        help="requests a round")
    parser.add_argument("--rounds", type=int, default=int(os.environ.get("ROUNDS", 3)))
    parser.add_argument("--cache", default=os.environ.get("SCALE_CACHE", "/tmp/forge-scale"))
    parser.add_argument("--measure", nargs=2, type=int, metavar=("PORT", "DB_PID"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv[1:])
    if args.measure:
        return measure_process(*args.measure, args.n, args.rounds)
    import scale
    with open("/proc/loadavg") as f:
        load0 = " ".join(f.read().split()[:3])
    git = subprocess.run(["git", "-C", scale.ROOT, "rev-parse", "--short", "HEAD"],
                         stdout=subprocess.PIPE, text=True).stdout.strip()
    for size in (int(s) for s in args.sizes.split(",")):
        work = scale.seeded_copy(size, args.projects, args.cache, True)
        db = scale.Database(work, True)
        try:
            cmd = [scale.PY, os.path.abspath(__file__), "--measure", str(db.port),
                   str(db.proc.pid), "-n", str(args.n), "--rounds", str(args.rounds)]
            out = subprocess.run(scale.pinned(cmd, 1), env=db.env(), check=True,
                                 stdout=subprocess.PIPE, text=True).stdout
        finally:
            db.stop()
            scale.shutil.rmtree(work, ignore_errors=True)
        report(size, [json.loads(line) for line in out.splitlines() if line.startswith("{")])
    with open("/proc/loadavg") as f:
        load1 = " ".join(f.read().split()[:3])
    print("\n== bench/activity_cold.py, git %s, %d rounds of %d requests a row; load average "
          "%s at start, %s at the end" % (git, args.rounds, args.n, load0, load1))


if __name__ == "__main__":
    if os.path.exists(os.path.join(os.path.dirname(BENCH), ".venv", "bin", "python")):
        venv = os.path.join(os.path.dirname(BENCH), ".venv")
        if os.path.realpath(sys.prefix) != os.path.realpath(venv):
            os.execv(os.path.join(venv, "bin", "python"),
                     [os.path.join(venv, "bin", "python")] + sys.argv)
    main(sys.argv)
