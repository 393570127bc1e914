"""Where one page's time goes: cProfile over a WebTest loop, against the seeded server.

    python bench/profile_page.py MONGO_PORT PATH [--signed-in | --token TOKEN] [-n 200]
                                 [--db-pid PID]
                                 [--out FILE] [--dump FILE.pstats]

Builds the forge with the benchmark settings, signs in (``--signed-in``) as
the benchmark user (or sends ``--token`` as a bearer token), warms up, then GETs PATH ``n`` times in one thread while
cProfile runs.  Prints per request, measured without the profiler: wall ms,
the forge's CPU ms, the database server's CPU ms (``--db-pid``), the commands
sent and their round-trip ms (pymongo command monitoring); then, from two
profiled loops, the functions with the largest cumulative and own time in ms
per request, in CPU time of this process and in wall time.
"""
import argparse
import cProfile
import io
import os
import pstats
import sys
import threading
import time
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from pymongo import monitoring  # noqa: E402


class CommandTimer(monitoring.CommandListener):
    """Every command sent to the database, with its round-trip time."""

    def __init__(self):
        self.active = False
        self.names = Counter()
        self.seconds = 0.0
        self.lock = threading.Lock()

    def started(self, event):
        pass

    def succeeded(self, event):
        self._count(event)

    def failed(self, event):
        self._count(event)

    def _count(self, event):
        if self.active:
            with self.lock:
                self.names[event.command_name] += 1
                self.seconds += event.duration_micros / 1e6


TIMER = CommandTimer()
monitoring.register(TIMER)     # before the app creates its MongoClient

import webtest  # noqa: E402

import forge  # noqa: E402
from forge_settings import settings  # noqa: E402
from pages import CSRF  # noqa: E402
from seed import MEMBER as USERNAME, PASSWORD  # noqa: E402  (the signed-in rows' reader)


def signed_in_app(app, signed_in, token=None):
    environ = {"REMOTE_ADDR": "127.0.0.1"}
    if token:
        environ["HTTP_AUTHORIZATION"] = "Bearer " + token
    browser = webtest.TestApp(app, extra_environ=environ)
    if signed_in:
        token = CSRF.search(browser.get("/@@login").text).group(1)
        browser.post("/@@login", {"username": USERNAME, "password": PASSWORD,
                                  "csrf_token": token}, status=302)
    return browser


def process_cpu(pid):
    """utime + stime of another process (the database server), in seconds."""
    if not pid:
        return 0.0
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_profiled(browser, path, n, timer):
    profiler = cProfile.Profile(timer) if timer else cProfile.Profile()
    profiler.enable()
    for _ in range(n):
        browser.get(path, status=200)
    profiler.disable()
    return pstats.Stats(profiler)


def write_stats(out, stats, n, top, title):
    rows = []
    for (filename, line, name), (cc, nc, tt, ct, callers) in stats.stats.items():
        rows.append((ct, tt, nc, "%s:%d(%s)" % (short(filename), line, name)))
    rows.sort(reverse=True)
    out.write("\n== %s: largest cumulative time\n" % title)
    out.write("%10s %10s %9s  %s\n" % ("cum ms/req", "own ms/req", "calls/req", "function"))
    for ct, tt, nc, where in rows[:top]:
        out.write("%10.3f %10.3f %9.1f  %s\n" % (1000 * ct / n, 1000 * tt / n, nc / n, where))
    out.write("\n== %s: largest own time\n" % title)
    rows.sort(key=lambda r: r[1], reverse=True)
    for ct, tt, nc, where in rows[:30]:
        out.write("%10.3f %10.3f %9.1f  %s\n" % (1000 * ct / n, 1000 * tt / n, nc / n, where))


def profile(mongo_port, path, signed_in, n, top, db_pid=None, dump=None, token=None):
    app = forge.main({}, **settings(mongo_port))
    browser = signed_in_app(app, signed_in, token)
    for _ in range(20):
        browser.get(path, status=200)
    TIMER.active = True
    wall0, cpu0, db0 = time.perf_counter(), time.process_time(), process_cpu(db_pid)
    for _ in range(n):
        browser.get(path, status=200)
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    db_cpu = process_cpu(db_pid) - db0
    TIMER.active = False
    wall_stats = run_profiled(browser, path, n, None)
    cpu_stats = run_profiled(browser, path, n, time.process_time)
    if dump:    # for pstats / snakeviz: the CPU-time profile
        cpu_stats.dump_stats(dump)

    out = io.StringIO()
    out.write("profile of GET %s (%s), %d requests in one thread\n"
              % (path, "with a token" if token else "signed in" if signed_in else "anonymous", n))
    out.write("per request, without the profiler: wall %.2f ms, forge CPU %.2f ms, "
              "database server CPU %s\n" % (1000 * wall / n, 1000 * cpu / n,
                                           "%.2f ms" % (1000 * db_cpu / n) if db_pid else "?"))
    out.write("database per request: %.1f commands (%s), %.2f ms round trip\n" % (
        sum(TIMER.names.values()) / n,
        ", ".join("%s %.1f" % (k, v / n) for k, v in TIMER.names.most_common()),
        1000 * TIMER.seconds / n))
    out.write("(cProfile inflates the per-function figures below; the totals above are unprofiled)\n")
    write_stats(out, cpu_stats, n, top, "CPU time of the forge process (timer=process_time)")
    write_stats(out, wall_stats, n, top, "wall time (includes waiting for the database)")
    return out.getvalue()


def short(filename):
    for marker in ("site-packages/", "/work/main/", "lib/python3"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mongo_port", type=int)
    parser.add_argument("path")
    parser.add_argument("--signed-in", action="store_true")
    parser.add_argument("--token", help="an API token sent as Authorization: Bearer")
    parser.add_argument("-n", type=int, default=200)
    parser.add_argument("--top", type=int, default=60)
    parser.add_argument("--out")
    parser.add_argument("--dump", help="write the CPU-time profile here (pstats format)")
    parser.add_argument("--db-pid", type=int, help="the database server's pid, for its CPU")
    args = parser.parse_args(argv[1:])
    text = profile(args.mongo_port, args.path, args.signed_in, args.n, args.top,
                   args.db_pid, args.dump, args.token)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)
    sys.stdout.write(text)


if __name__ == "__main__":
    main(sys.argv)
