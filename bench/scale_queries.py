#!/usr/bin/env python3
"""The hot-path queries timed alone on nx-27017 at each seeded size (issue 18).

    .venv/bin/python bench/scale_queries.py [SIZES]     # default 1000,10000,100000

For each database kept by ``bench/scale.py`` (seeded first if missing), on a
fresh copy: the filtered list's query (third page's read: sort by number,
limit 76), the project's activity (newest first: limit 25, the first read of
a page since it reads in chunks, and the 2,000 cap it read at once before), and a ticket by path; median wall ms of 15 runs, and the ratio of
the largest size to the smallest.  Where the server's plan cannot serve the
sort from an index, the time grows with the collection: this shows which.
"""
import os
import shutil
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import pymongo  # noqa: E402

from forge_settings import DATABASE  # noqa: E402
from scale import Database, seeded_copy  # noqa: E402


def queries(db):
    tool = db.tool_instance.find_one({"mount": "tickets"})
    project_id = tool["project_id"]
    base = {"tool_id": tool["_id"], "deleted": False}
    return [
        ("list: open+ui by number, 76", lambda: list(db.artifact.find(
            dict(base, closed=False, labels={"$in": ["ui"]})).sort("number", -1).limit(76))),
        ("list: all by number, 76", lambda: list(db.artifact.find(base).sort(
            "number", -1).limit(76))),
        ("activity: project, 25", lambda: list(db.activity.find(
            {"project_id": project_id}).sort("timestamp", -1).limit(25))),
        ("activity: project, 38 (a page's first read)", lambda: list(db.activity.find(
            {"project_id": project_id}).sort("timestamp", -1).limit(38))),
        ("activity: project, cap 2000, first batch", lambda: next(iter(db.activity.find(
            {"project_id": project_id}).sort("timestamp", -1).limit(2000)))),
        ("ticket by path", lambda: db.artifact.find_one({"tool_id": tool["_id"],
                                                         "path": "500"})),
    ]


def timed(run, n=15):
    run()
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        run()
        times.append(1000 * (time.perf_counter() - t0))
    return statistics.median(times)


def main(argv):
    sizes = [int(s) for s in (argv[1] if len(argv) > 1 else "1000,10000,100000").split(",")]
    results = {}
    for size in sizes:
        work = seeded_copy(size, 1000, os.environ.get("SCALE_CACHE", "/tmp/forge-scale"), True)
        server = Database(work, True)
        client = pymongo.MongoClient(port=server.port)
        try:
            results[size] = [(label, timed(run)) for label, run in queries(client[DATABASE])]
        finally:
            client.close()
            server.stop()
            shutil.rmtree(work, ignore_errors=True)
    print("%-42s" % "query (median ms)" + "".join("%12d" % s for s in sizes) + "   ratio")
    for i, (label, _ms) in enumerate(results[sizes[0]]):
        cells = [results[s][i][1] for s in sizes]
        print("%-42s" % label + "".join("%12.2f" % c for c in cells)
              + "   %.2f" % (cells[-1] / cells[0]))


if __name__ == "__main__":
    main(sys.argv)
