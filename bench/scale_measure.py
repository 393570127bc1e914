"""One size of the scale benchmark, measured in one process (run by ``bench/scale.py``).

    python bench/scale_measure.py MONGO_PORT DB_PID [-n 60] [--queries]

Builds the forge with the benchmark settings and the page cache off, signs in
the benchmark member, and for each page of ``scale.PAGES``, signed in and
anonymous: 10 warm-up requests, then ``n`` timed ones; then the ``-cold`` row:
the same with the generation store emptied before each request (as any write
empties it), so the page runs its queries and renders its pieces every time.  Prints one JSON line
a row (p50, p99 wall ms; CPU ms per request of this process plus the
database server).  ``--queries`` also prints each page's database commands
(one request, warm) with the declared index that serves each and the plan
nx-27017 explains for it (``forge.queries.index_coverage``).
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
    return json.dumps(plan, default=str)[:160]


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
    args = parser.parse_args(argv[1:])
    app = forge.main({}, **dict(settings(args.mongo_port), **{"forge.page_cache.max_mb": "0"}))
    readers = {"signed": signed_in_app(app, True), "anon": signed_in_app(app, False)}
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
