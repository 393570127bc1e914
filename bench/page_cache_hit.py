"""What one page cache hit costs, by the way it is answered (issue 18).

    python bench/page_cache_hit.py [--hits 3000] [--rounds 3] [--threads 1 4] [--cpu 1]

Starts nx-27017 in a temporary directory, makes a forge with one project
(``forge.main``, its own actions), stores the project's home page for an
anonymous reader, then sends GETs of it straight to the WSGI app (no HTTP
server) from 1 and from 4 threads, in three ways, alternating, ``--rounds``
times:

* ``tweens``: the fast path off, one generations read per hit (the page cache
  as it was: Pyramid's router, a request, every tween);
* ``fast``: the fast path (``forge.page_cache_fast.FastPath``), one read per hit;
* ``fast+shared``: the fast path with the shared generations read
  (``forge.model.cache.SharedRead``), as served.

Prints, per way and thread count, the median CPU ms per hit of this process
and of the database server (process clocks: less sensitive to other load than
wall time), the database round trips per hit, and each way's total against
``tweens``.  ``--cpu`` pins this process and the server to one CPU, as
``bench/run`` pins the forge and the server (default: the last CPU).
"""
import argparse
import os
import statistics
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from forge import main as forge_main, page_cache, page_cache_fast  # noqa: E402
from forge.embedded import EmbeddedMongo  # noqa: E402
from forge.model.cache import SharedRead, current_generations  # noqa: E402
from forge.model.session import session  # noqa: E402

PATH = "/p/demo/"
WAYS = ("tweens", "fast", "fast+shared")


def free_port():
    """Not forge.testing's: importing it registers a pymongo command listener,
    which would add its cost to every read measured here."""
    import socket
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def process_cpu(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def environ():
    return {"REQUEST_METHOD": "GET", "PATH_INFO": PATH, "QUERY_STRING": "", "SCRIPT_NAME": "",
            "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8080", "HTTP_HOST": "127.0.0.1:8080",
            "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http",
            "REMOTE_ADDR": "127.0.0.1", "HTTP_ACCEPT": "*/*", "HTTP_USER_AGENT": "bench",
            "wsgi.input": None, "wsgi.errors": sys.stderr, "wsgi.version": (1, 0),
            "wsgi.multithread": True, "wsgi.multiprocess": False, "wsgi.run_once": False}


class Reads:
    """The generations reads made (one database round trip each)."""

    def __init__(self):
        self.count = 0
        self.lock = threading.Lock()

    def __call__(self):
        with self.lock:
            self.count += 1
        return current_generations(session.db)


def make_site(url):
    from forge.actions.projects import create_project
    from forge.actions.users import create_user
    from forge.model import Neighborhood
    app = forge_main({}, **{"ming.main.uri": url, "ming.main.database": "page_cache_hit",
                            "forge.secret": "page-cache-hit-bench", "forge.tools": "",
                            "forge.load_tool_entry_points": "false",
                            "forge.password.time_cost": "1",
                            "forge.password.memory_kib": "1024",
                            "forge.password.parallelism": "1"})
    if not session.db["project"].find_one({"shortname": "demo"}):
        ada = create_user(app.registry, "ada", "ada@example.test", "bench-password-123")
        create_project(app.registry, Neighborhood.query.get(name="p"), "demo", "Demo", ada)
    session.close()
    return app


def hit(app):
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"], answer["headers"] = status, dict(headers)
    b"".join(app(environ(), start_response))
    assert answer["status"] == "200 OK", answer
    assert answer["headers"].get(page_cache.HEADER) == "hit", answer
    session.close()


def measure(app, way, threads, hits, db_pid):
    reads = Reads()
    page_cache_fast.fast_path(app.registry).off = "bench: the tweens" if way == "tweens" else None
    page_cache._generations = SharedRead(reads) if way == "fast+shared" else reads
    for _ in range(50):
        hit(app)
    reads.count = 0
    per_thread = hits // threads

    def loop():
        for _ in range(per_thread):
            hit(app)
    workers = [threading.Thread(target=loop) for _ in range(threads)]
    cpu0, db0, wall0 = time.process_time(), process_cpu(db_pid), time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    n = per_thread * threads
    return {"forge": 1000 * (time.process_time() - cpu0) / n,
            "db": 1000 * (process_cpu(db_pid) - db0) / n,
            "wall": 1000 * (time.perf_counter() - wall0) / n,
            "reads": reads.count / n}


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hits", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--cpu", type=int, default=os.cpu_count() - 1)
    args = parser.parse_args(argv[1:])
    with tempfile.TemporaryDirectory(prefix="page-cache-hit-") as directory:
        server = EmbeddedMongo(directory, free_port()).start()
        try:
            if args.cpu >= 0:
                os.sched_setaffinity(0, {args.cpu})
                os.sched_setaffinity(server.process.pid, {args.cpu})
            app = make_site(server.url)
            for _ in range(2):
                app({**environ()}, lambda status, headers, exc_info=None: None)
            session.close()
            results = {}
            for _ in range(args.rounds):
                for threads in args.threads:
                    for way in WAYS:
                        figures = measure(app, way, threads, args.hits, server.process.pid)
                        results.setdefault((way, threads), []).append(figures)
        finally:
            server.stop()
    report(results, args)


def report(results, args):
    print("GET %s from the page cache, %d hits x %d rounds (alternating), load %s"
          % (PATH, args.hits, args.rounds, " ".join(open("/proc/loadavg").read().split()[:3])))
    print("CPU ms per hit (median of the rounds): forge process + database server = total")
    print("%-12s %7s %8s %8s %8s %9s %8s %10s" % ("way", "threads", "forge", "db", "total",
                                                  "reads/hit", "wall ms", "vs tweens"))
    for threads in args.threads:
        base = None
        for way in WAYS:
            rows = results[(way, threads)]
            median = {k: statistics.median(r[k] for r in rows) for k in rows[0]}
            total = median["forge"] + median["db"]
            base = base or total
            print("%-12s %7d %8.3f %8.3f %8.3f %9.2f %8.3f %9.2fx" % (
                way, threads, median["forge"], median["db"], total, median["reads"],
                median["wall"], base / total))


if __name__ == "__main__":
    main(sys.argv)
