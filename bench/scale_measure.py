"""One size of the scale benchmark, measured in one process (run by ``bench/scale.py``).

    python bench/scale_measure.py MONGO_PORT DB_PID [-n 60] [--queries]
    python bench/scale_measure.py MONGO_PORT DB_PID --worker

Builds the forge with the benchmark settings and the page cache off, signs in
the benchmark member, and for each page of ``scale.PAGES``, signed in and
anonymous: 10 warm-up requests, then ``n`` timed ones; then the ``-cold`` row:
the same with the generation store emptied before each request (as any write
empties it), so the page runs its queries and renders its pieces every time.  Prints one JSON line
a row (p50, p99 wall ms; CPU ms per request of this process plus the
database server).  ``--queries`` also prints each page's database commands
(one request, warm) with the declared index that serves each and the plan
nx-27017 explains for it (``forge.queries.index_coverage``).

``--worker`` (``bench/scale.py``'s interleaved measurement, one worker a size
served at once): warms every row up (10 requests, and checks its title), prints
``{"rows": [...]}``, then for each line ``{"row": R, "n": N, "warm": W}`` read
from stdin runs W untimed and N timed requests of row R and answers one JSON
line: each request's wall ms and CPU ms (this process plus the database
server, read from both processes' CPU clocks around the request, so a request
is charged only its own CPU however busy the machine is).
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from forge.queries.index_coverage import WireQueries  # noqa: E402

WIRE = WireQueries.registered()     # before the app creates its MongoClient

import forge  # noqa: E402
from forge_settings import settings  # noqa: E402
from profile_page import process_cpu, signed_in_app  # noqa: E402
from scale import PAGES  # noqa: E402


def percentile(values, fraction):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(fraction * (len(values) - 1))))]


def measure(browser, path, title, n, db_pid, before=None):
    """``before()``, when given, runs ahead of each request, outside the timing."""
    for _ in range(10):
        page = browser.get(path, status=200)
    if title not in page.text:
        sys.exit("%s does not show %r" % (path, title))
    walls = []
    cpu0, db0 = time.process_time(), process_cpu(db_pid)
    for _ in range(n):
        if before is not None:
            paused = time.process_time(), process_cpu(db_pid)
            before()
            cpu0 += time.process_time() - paused[0]
            db0 += process_cpu(db_pid) - paused[1]
        t0 = time.perf_counter()
        browser.get(path, status=200)
        walls.append(1000 * (time.perf_counter() - t0))
    cpu = 1000 * (time.process_time() - cpu0 + process_cpu(db_pid) - db0) / n
    return {"p50": percentile(walls, 0.5), "p99": percentile(walls, 0.99), "cpu": cpu}


def db_cpu_clock(db_pid):
    """A function giving the database server's CPU seconds, all its threads:
    its process CPU clock (nanoseconds) where Linux lets us read it, else
    ``/proc/PID/stat`` (10 ms ticks)."""
    if not db_pid:
        return lambda: 0.0
    clock = ((~db_pid) << 3) | 2            # Linux MAKE_PROCESS_CPUCLOCK(pid, CPUCLOCK_SCHED)
    try:
        time.clock_gettime(clock)
        return lambda: time.clock_gettime(clock)
    except (OSError, OverflowError, AttributeError):
        return lambda: process_cpu(db_pid)


def rows_of(app, readers):
    """{row: (browser, path, title, before)}: each page signed in and anonymous,
    warm and ``-cold`` (``before`` drops the kept pieces ahead of each request)."""
    rows = {}
    for label, path, title in PAGES:
        for reader, browser in readers.items():
            row = "%s-%s" % (label, reader)
            rows[row] = (browser, path, title, None)
            rows[row + "-cold"] = (browser, path, title, lambda: forget_pieces(app))
    return rows


def timed_block(browser, path, before, n, warm, db_cpu):
    """``warm`` untimed requests, then ``n`` timed: ([wall ms], [CPU ms]) a request."""
    for _ in range(warm):
        browser.get(path, status=200)
    walls, cpus = [], []
    for _ in range(n):
        if before is not None:
            before()
        c0, d0 = time.process_time(), db_cpu()
        t0 = time.perf_counter()
        browser.get(path, status=200)
        t1 = time.perf_counter()
        cpus.append(1000 * (time.process_time() - c0 + db_cpu() - d0))
        walls.append(1000 * (t1 - t0))
    return walls, cpus


def worker(app, readers, db_pid):
    rows, db_cpu = rows_of(app, readers), db_cpu_clock(db_pid)
    for row, (browser, path, title, before) in rows.items():
        for _ in range(10):
            page = browser.get(path, status=200)
        if title not in page.text:
            sys.exit("%s does not show %r" % (path, title))
    print(json.dumps({"rows": list(rows), "forge": forge.__file__}), flush=True)
    for line in sys.stdin:
        ask = json.loads(line)
        browser, path, _title, before = rows[ask["row"]]
        walls, cpus = timed_block(browser, path, before, ask["n"], ask.get("warm", 0), db_cpu)
        print(json.dumps({"walls": walls, "cpu": cpus}), flush=True)


def show_queries(app, browser, label, path):
    from forge.queries.index_coverage import declared_indexes, uncovered_reason
    from forge.model.session import session
    database = session.impl.db if hasattr(session, "impl") else None
    forget_pieces(app)          # the page's own queries, not the kept pieces
    with WIRE.capture() as queries:
        browser.get(path, status=200)
    print("   %s: %d commands" % (label, len(queries)))
    for query in queries:
        reason = uncovered_reason(query, declared_indexes(query.collection))
        plan = explain(database, query) if database is not None else ""
        print("     %-60s %s%s" % (query.describe()[:60],
                                     "UNCOVERED: " + reason if reason else "ok",
                                     "  nx plan: " + plan if plan else ""))


def explain(database, query):
    if query.command != "find":
        return ""
    try:
        answer = database.command("explain", {"find": query.collection,
                                              "filter": query.filter})
    except Exception as error:      # a server without explain: say so, keep going
        return "no explain (%s)" % type(error).__name__
    plan = answer.get("queryPlanner", {}).get("winningPlan")
    if isinstance(plan, list):          # nx-27017: SQLite's plan, one step a line
        return "; ".join(str(step.get("detail", step)) if isinstance(step, dict) else str(step)
                         for step in plan)[:300]
    return json.dumps(plan, default=str)[:300]


def forget_pieces(app):
    """Drop what the generation store keeps (``forge.fragments``), as a write
    would; the tree cache stays warm, as it does after a content write."""
    from forge.fragments import generation_store
    generation_store(app.registry).clear()


def main(argv):
    parser = argparse.ArgumentParser()
    parser.add_argument("mongo_port", type=int)
    parser.add_argument("db_pid", type=int)
    parser.add_argument("-n", type=int, default=60)
    parser.add_argument("--cold", type=int, help="requests of the -cold rows (default n)")
    parser.add_argument("--queries", action="store_true")
    parser.add_argument("--worker", action="store_true")
    args = parser.parse_args(argv[1:])
    app = forge.main({}, **dict(settings(args.mongo_port), **{"forge.page_cache.max_mb": "0"}))
    readers = {"signed": signed_in_app(app, True), "anon": signed_in_app(app, False)}
    if args.worker:
        return worker(app, readers, args.db_pid)
    for label, path, title in PAGES:
        for reader, browser in readers.items():
            row = "%s-%s" % (label, reader)
            result = measure(browser, path, title, args.n, args.db_pid)
            print(json.dumps(dict(result, row=row)), flush=True)
            # after a write: the page's pieces computed again on every request
            result = measure(browser, path, title, args.cold or args.n, args.db_pid,
                             before=lambda: forget_pieces(app))
            print(json.dumps(dict(result, row=row + "-cold")), flush=True)
            if args.queries:
                show_queries(app, browser, row, path)


if __name__ == "__main__":
    main(sys.argv)
