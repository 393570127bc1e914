"""CPU per signed-in page with the per-session page cache off, hit and missed.

    python bench/profile_signed_cache.py MONGO_PORT TARGETS_FILE [-n 100] [--rounds 3]
                                         [--db-pid PID] [--only REGEX]

Like ``bench/profile_signed.py`` (one app, the benchmark settings, signed in
as the benchmark member, every signed-in row of the targets file written by
``bench/seed.py``), but each row is measured three ways in alternating
rounds, so that the machine's load weighs on all alike:

* ``off``: the signed-in page kind (``forge.signed_pages``) taken out of the
  page cache's kinds: every request is rendered, as before it existed;
* ``hit``: the kind in place and the page stored: what a reader reading a
  page again while nothing changed costs;
* ``miss``: the kind in place, the store emptied before each request: the
  page is rendered and stored (what the first view after a write costs).

Prints the medians of the forge's CPU ms and the database server's CPU ms
per request (``--db-pid``), and the database commands per request.
"""
import argparse
import os
import sys
import time
from statistics import median

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import forge  # noqa: E402
from forge.page_cache import HEADER  # noqa: E402
from forge.signed_pages import SignedInPages  # noqa: E402
from forge_settings import settings  # noqa: E402
from profile_page import TIMER, process_cpu, signed_in_app  # noqa: E402
from profile_signed import signed_rows  # noqa: E402

MODES = ("off", "hit", "miss")


def measure(app, browser, path, n, db_pid, mode):
    registry = app.registry
    kinds, cache = registry.forge_page_cache_kinds, registry.forge_page_cache
    signed = [k for k in kinds if isinstance(k, SignedInPages)]
    others = [k for k in kinds if not isinstance(k, SignedInPages)]
    registry.forge_page_cache_kinds[:] = others + ([] if mode == "off" else signed)
    try:
        for _ in range(5):
            state = browser.get(path, status=200).headers.get(HEADER)
        if mode != "off" and state is None:
            return None                 # a view that did not opt in (search)
        expected = {"off": None, "hit": "hit", "miss": "miss"}[mode]
        TIMER.names.clear()
        TIMER.active = True
        cpu0, db0, elsewhere = time.process_time(), process_cpu(db_pid), 0.0
        for _ in range(n):
            if mode == "miss":
                t = time.process_time()
                cache.__init__(cache.max_bytes)
                elsewhere += time.process_time() - t
            state = browser.get(path, status=200).headers.get(HEADER)
            # None: the session's "last seen" touch came due (every 300 s), once
            if state != expected and (state is not None or mode == "off"):
                raise SystemExit("%s: %s answered %r, not %r" % (mode, path, state, expected))
        forge_ms = 1000 * (time.process_time() - cpu0 - elsewhere) / n
        db_ms = 1000 * (process_cpu(db_pid) - db0) / n
        finds = sum(TIMER.names.values()) / n
    finally:
        TIMER.active = False
        registry.forge_page_cache_kinds[:] = others + signed
    return forge_ms, db_ms, finds


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mongo_port", type=int)
    parser.add_argument("targets")
    parser.add_argument("-n", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--db-pid", type=int)
    parser.add_argument("--only")
    args = parser.parse_args(argv[1:])
    app = forge.main({}, **settings(args.mongo_port))
    browser = signed_in_app(app, True)
    print("load average at start: %s" % open("/proc/loadavg").read().strip())
    print("%-18s" % "row" + "".join("%27s" % ("%s: forge+db ms (cmds)" % m) for m in MODES))
    for label, path in signed_rows(args.targets, args.only):
        results = {mode: [] for mode in MODES}
        for _ in range(args.rounds):
            for mode in MODES:
                results[mode].append(measure(app, browser, path, args.n, args.db_pid, mode))
        cells = []
        for mode in MODES:
            if None in results[mode]:
                cells.append("%27s" % "not kept")
                continue
            forge_ms = median(r[0] for r in results[mode])
            db_ms = median(r[1] for r in results[mode])
            finds = median(r[2] for r in results[mode])
            cells.append("%6.2f + %5.2f = %6.2f (%4.1f)" % (forge_ms, db_ms, forge_ms + db_ms,
                                                          finds))
        print("%-18s" % label + "".join("%27s" % c for c in cells), flush=True)
    print("load average at the end: %s" % open("/proc/loadavg").read().strip())


if __name__ == "__main__":
    main(sys.argv)
