#!/usr/bin/env python3
"""The signed-in filtered ticket list under wrk (issue 18: p50 < 20 ms, p99 < 60 ms).

    bench/scale_wrk.py                  # 10,000 tickets, 3 rounds of 10 s
    SIZE=100000 DURATION=5 REPS=2 bench/scale_wrk.py

Serves the scale benchmark's seeded database of ``SIZE`` tickets (a fresh
copy of the one ``bench/scale.py`` keeps under ``/tmp/forge-scale``, seeded
first if missing) with ``bench/serve.py`` (waitress, 4 threads) and nx-27017
both on CPU 1, signs the project member in (``bench/pages.py login``), and
runs ``wrk -t2 -c8 --latency`` from CPU 0 against the third page of
``status:open label:ui``, as ``bench/run``'s list rows do: req/s, p50, p99 and
CPU ms per request (forge + nx-27017, from ``/proc``), the median of rounds.
"""
import os
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from scale import VENV_PY  # noqa: E402

if os.path.exists(VENV_PY) and os.path.realpath(sys.prefix) != os.path.realpath(
        os.path.dirname(os.path.dirname(VENV_PY))):
    os.execv(VENV_PY, [VENV_PY] + sys.argv)     # the forge and nx-27017 live in .venv

from profile_page import process_cpu  # noqa: E402
from report import parse_wrk  # noqa: E402
from scale import BENCH, PAGES, PY, Database, free_port, pinned, seeded_copy  # noqa: E402
from seed import MEMBER, PASSWORD  # noqa: E402

LIST_PATH = dict((label, path) for label, path, _title in PAGES)["list"]


def wait_ready(port, proc):
    for _ in range(240):
        try:
            urllib.request.urlopen("http://127.0.0.1:%d/" % port, timeout=10).read()
            return
        except Exception:
            if proc.poll() is not None:
                sys.exit("the forge exited")
            time.sleep(0.5)
    sys.exit("the forge did not answer")


def wrk_round(url, cookie, seconds, pids):
    cmd = ["wrk", "-t2", "-c8", "-d%ds" % seconds, "--timeout", "10s", "--latency"]
    if cookie:
        cmd += ["-H", "Cookie: forge_session=%s" % cookie]
    cpu0 = sum(process_cpu(pid) for pid in pids)
    out = subprocess.run(pinned(cmd + [url], 0), stdout=subprocess.PIPE, text=True).stdout
    cpu = sum(process_cpu(pid) for pid in pids) - cpu0
    result = parse_wrk(out)
    result["cpu"] = 1000 * cpu / max(1, result["requests"])
    return result


def main():
    size = int(os.environ.get("SIZE", 10000))
    seconds, reps = int(os.environ.get("DURATION", 10)), int(os.environ.get("REPS", 3))
    work = seeded_copy(size, int(os.environ.get("PROJECTS", 1000)),
                       os.environ.get("SCALE_CACHE", "/tmp/forge-scale"), True)
    db = Database(work, True)
    port = free_port()
    log = open(os.path.join(work, "forge.log"), "w")
    forge = subprocess.Popen(pinned([PY, os.path.join(BENCH, "serve.py"), str(db.port),
                                     str(port), "4"], 1), env=db.env(), stdout=log,
                             stderr=subprocess.STDOUT)
    try:
        wait_ready(port, forge)
        cookie = subprocess.run([PY, os.path.join(BENCH, "pages.py"), "login", str(port),
                                 MEMBER, PASSWORD], stdout=subprocess.PIPE, text=True,
                                check=True).stdout.strip()
        url = "http://127.0.0.1:%d%s" % (port, LIST_PATH)
        load0 = open("/proc/loadavg").read().split()[:3]
        wrk_round(url, cookie, 2, [])                       # warm-up
        rounds = [wrk_round(url, cookie, seconds, [forge.pid, db.proc.pid])
                  for _ in range(reps)]
        load1 = open("/proc/loadavg").read().split()[:3]
    finally:
        forge.terminate()
        forge.wait(10)
        db.stop()
        log.close()
        shutil.rmtree(work, ignore_errors=True)
    bad = sum(r["non2xx"] + r["errors"] for r in rounds)
    print("signed-in filtered list, %d tickets: %s" % (size, LIST_PATH))
    print("wrk -t2 -c8 -d%ds --latency (CPU 0), forge + nx-27017 on CPU 1, %d rounds; "
          "load average %s at start, %s at the end" % (seconds, reps, " ".join(load0),
                                                       " ".join(load1)))
    for i, r in enumerate(rounds, 1):
        print("  round %d: %.1f req/s, p50 %.1f ms, p99 %.1f ms, CPU %.2f ms/req, "
              "%d requests" % (i, r["rps"], r["p50"], r["p99"], r["cpu"], r["requests"]))
    med = {k: statistics.median(r[k] for r in rounds) for k in ("rps", "p50", "p99", "cpu")}
    print("median: %.1f req/s, p50 %.1f ms (target < 20), p99 %.1f ms (target < 60), "
          "CPU %.2f ms/req" % (med["rps"], med["p50"], med["p99"], med["cpu"]))
    if bad:
        print("FAILED: %d non-2xx answers or socket errors" % bad)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
