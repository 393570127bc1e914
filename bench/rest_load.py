"""Load one REST URL with wrk and report wall and CPU figures per request.

    python bench/rest_load.py URL --token TOKEN --server-pid PID [--db-pid PID]
                              [--conns 8,1] [--duration 10] [--reps 3]

Against servers already running (``bench/run`` starts them; or ``bench/serve.py``
on a database seeded by ``bench/seed.py``), pinned as ``bench/run`` pins them
(servers on CPU 1, wrk on CPU 0, which this script does for wrk).  For each
connection count, ``reps`` rounds of ``wrk -t2 -cN -dS --latency`` with
``Authorization: Bearer TOKEN``; per round the requests per second, p50 and
p99, and the CPU time the server and the database server (utime + stime from
``/proc``) spent per request.  Prints the load average before and after, since
other work on the machine lowers the wall figures (the CPU ones much less).

Every request sends the same URL with the same token, so after the first one a
forge with the page cache on answers from its REST answer cache
(``forge.rest.answer_cache``, ``X-Forge-Page-Cache: hit``: the generations'
read, no token find, no view); the script prints which, from one request sent
before the rounds.  For the cost without it, serve with
``FORGE_PAGE_CACHE_MAX_MB=0``.
"""
import argparse
import os
import re
import statistics
import subprocess
import urllib.request

LATENCY = re.compile(r"^\s+50%\s+([\d.]+)(us|ms|s)\s*$", re.M)
P99 = re.compile(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", re.M)
REQUESTS = re.compile(r"(\d+) requests in")
RATE = re.compile(r"Requests/sec:\s+([\d.]+)")
NON_2XX = re.compile(r"Non-2xx or 3xx responses: (\d+)")
UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def cpu_seconds(pid):
    if not pid:
        return 0.0
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def ms(pattern, text):
    match = pattern.search(text)
    return float(match.group(1)) * UNIT[match.group(2)] if match else float("nan")


def one_round(args, conns):
    command = ["wrk", "-t%d" % min(2, conns), "-c%d" % conns, "-d%ds" % args.duration,
               "--timeout", "10s", "--latency", "-H", "Authorization: Bearer " + args.token,
               args.url]
    if args.pin:
        command = ["taskset", "-c", "0"] + command
    app0, db0 = cpu_seconds(args.server_pid), cpu_seconds(args.db_pid)
    text = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    app, db = cpu_seconds(args.server_pid) - app0, cpu_seconds(args.db_pid) - db0
    requests = int(REQUESTS.search(text).group(1))
    failed = NON_2XX.search(text)
    if failed:
        raise SystemExit("%s non-2xx answers: the figures would measure errors" % failed.group(1))
    return {"rps": float(RATE.search(text).group(1)), "p50": ms(LATENCY, text),
            "p99": ms(P99, text), "app_ms": 1000 * app / requests,
            "db_ms": 1000 * db / requests}


def cache_state(args):
    """``hit``/``miss`` of a request after one warming request (the header of
    the page cache, ``forge.page_cache.HEADER``), or ``off``."""
    request = urllib.request.Request(args.url, headers={"Authorization": "Bearer " + args.token})
    for _ in range(2):
        with urllib.request.urlopen(request, timeout=30) as response:
            state = response.headers.get("X-Forge-Page-Cache", "off")
    return state


def load_average():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--token", required=True)
    parser.add_argument("--server-pid", type=int, required=True)
    parser.add_argument("--db-pid", type=int)
    parser.add_argument("--conns", default="8,1")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--no-pin", dest="pin", action="store_false")
    args = parser.parse_args()
    print("load average at the start: %s" % load_average())
    print("answer cache on a repeated request: %s" % cache_state(args))
    print("%-6s %9s %9s %9s %12s %12s %12s" % ("conns", "req/s", "p50 ms", "p99 ms",
                                               "server CPU", "db CPU", "CPU ms/req"))
    for conns in [int(c) for c in args.conns.split(",")]:
        rounds = [one_round(args, conns) for _ in range(args.reps)]
        median = {key: statistics.median(r[key] for r in rounds) for key in rounds[0]}
        print("-c%-4d %9.1f %9.2f %9.2f %12.2f %12.2f %12.2f" % (
            conns, median["rps"], median["p50"], median["p99"], median["app_ms"],
            median["db_ms"], median["app_ms"] + median["db_ms"]))
    print("load average at the end: %s (medians of %d rounds of %d s)"
          % (load_average(), args.reps, args.duration))


if __name__ == "__main__":
    main()
