"""Where the forge's time goes on a git request: info/refs in one process.

    python bench/code_profile.py MONGO_PORT REPO TOKEN [-n 300] [--out FILE]
                                 [--dump PREFIX] [--protocol version=2|""]

(``FORGE_REPOS_PATH`` and ``FORGE_TOOLS`` set as for the server; REPO is the
code tool's repository, which bench/code_seed.py printed.)  Builds the forge
with the benchmark settings and, beside it, the bare ``git http-backend`` CGI
app of bench/code_servers.py on a copy-free view of the same repository, then
GETs ``info/refs?service=git-upload-pack`` (protocol v2, git's first request
of every fetch) through each WSGI app with WebTest, one request at a time, in
alternating rounds: the baseline, the forge anonymously, the forge with the
API token in HTTP Basic.  Prints the median ms of each, the forge's overhead
(its median minus the baseline's) and the ratio, the database commands per
request, then a cProfile of each forge variant (cumulative and own time, ms
per request).  No network and no waitress: what is left is the forge's own work
and the git process both start (in protocol v2 the forge starts none: it
keeps git's answer, tools/code/advertisement.py; ``--protocol ""`` measures
protocol v0, whose answer lists the refs and which git answers every time).
"""
import argparse
import base64
import cProfile
import io
import os
import pstats
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from profile_page import TIMER, write_stats  # noqa: E402  (TIMER before the app)

import webtest  # noqa: E402

import forge  # noqa: E402
from code_seed import USERNAME  # noqa: E402
from code_servers import cgi_app  # noqa: E402
from forge_settings import settings  # noqa: E402

PATH = "/info/refs?service=git-upload-pack"
HEADERS = {"Git-Protocol": "version=2", "User-Agent": "git/2.39.5"}


def variants(forge_app, repo, token, protocol="version=2"):
    """(label, TestApp, URL, headers) of what is timed."""
    headers = dict(HEADERS, **{"Git-Protocol": protocol}) if protocol else \
        {"User-Agent": HEADERS["User-Agent"]}
    root, name = os.path.split(repo.rstrip("/"))
    basic = "Basic " + base64.b64encode(("%s:%s" % (USERNAME, token)).encode()).decode()
    forge_browser = webtest.TestApp(forge_app, extra_environ={"REMOTE_ADDR": "127.0.0.1"})
    return [
        ("git http-backend (CGI)", webtest.TestApp(cgi_app(root)), "/" + name + PATH, headers),
        ("forge, anonymous", forge_browser, "/p/c1/code" + PATH, headers),
        ("forge, API token in Basic", forge_browser, "/p/c1/code" + PATH,
         dict(headers, Authorization=basic)),
    ]


def timed(browser, url, headers, n, cpu=None):
    """Wall ms of each request; ``cpu`` (a list) gets this process's CPU ms of each."""
    times = []
    for _ in range(n):
        started, cpu_started = time.perf_counter(), time.process_time()
        response = browser.get(url, headers=headers, status=200)
        times.append((time.perf_counter() - started) * 1000)
        if cpu is not None:
            cpu.append((time.process_time() - cpu_started) * 1000)
        if not response.body.endswith(b"0000"):
            raise RuntimeError("%s: not a ref advertisement" % url)
    return times


def profiled(browser, url, headers, n, timer=None):
    profiler = cProfile.Profile(timer) if timer else cProfile.Profile()
    profiler.enable()
    for _ in range(n):
        browser.get(url, headers=headers, status=200)
    profiler.disable()
    return pstats.Stats(profiler)


def run(mongo_port, repo, token, n, rounds, dump=None, protocol="version=2"):
    app = forge.main({}, **settings(mongo_port))
    runs = variants(app, repo, token, protocol)
    for _label, browser, url, headers in runs:     # warm-up: imports, caches, templates
        timed(browser, url, headers, 20)
    times = {label: [] for label, *_ in runs}
    cpu = {label: [] for label, *_ in runs}
    commands = {label: 0 for label, *_ in runs}
    for _ in range(rounds):
        for label, browser, url, headers in runs:
            before = sum(TIMER.names.values())
            TIMER.active = True
            times[label] += timed(browser, url, headers, n // rounds, cpu[label])
            TIMER.active = False
            commands[label] += sum(TIMER.names.values()) - before
    out = io.StringIO()
    out.write("info/refs?service=git-upload-pack (Git-Protocol: %s) through the WSGI apps, "
              "in process, %d requests each in %d alternating rounds\n"
              % (protocol or "none, v0", n, rounds))
    out.write("  %-28s %9s %9s %6s %9s %9s %8s\n" % ("", "wall p50", "overhead", "ratio",
                                                     "CPU p50", "overhead", "db cmds"))
    base = statistics.median(times[runs[0][0]])
    base_cpu = statistics.median(cpu[runs[0][0]])
    for label, *_ in runs:
        p50, cpu50 = statistics.median(times[label]), statistics.median(cpu[label])
        out.write("  %-28s %9.2f %9.2f %6.2f %9.2f %9.2f %8.1f\n" % (
            label, p50, p50 - base, p50 / base, cpu50, cpu50 - base_cpu,
            commands[label] / len(times[label])))
    out.write("  (ms per request; overhead = the forge's median minus http-backend's; CPU is "
              "this process's, git's own not included)\n")
    for label, browser, url, headers in runs[1:]:
        stats = profiled(browser, url, headers, n, time.process_time)
        if dump:
            stats.dump_stats("%s-%s.pstats" % (dump, label.split(",")[1].strip().split()[0]))
        write_stats(out, stats, n, 40, "%s: CPU time" % label)
        write_stats(out, profiled(browser, url, headers, n), n, 25, "%s: wall time" % label)
    return out.getvalue()


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mongo_port", type=int)
    parser.add_argument("repo")
    parser.add_argument("token")
    parser.add_argument("-n", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out")
    parser.add_argument("--dump", help="write each CPU profile to PREFIX-<variant>.pstats")
    parser.add_argument("--protocol", default="version=2",
                        help="the Git-Protocol header; empty for protocol v0 (refs listed, "
                             "git runs in the forge too)")
    args = parser.parse_args(argv[1:])
    text = run(args.mongo_port, args.repo, args.token, args.n, args.rounds, args.dump,
               args.protocol)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)
    sys.stdout.write(text)


if __name__ == "__main__":
    main(sys.argv)
