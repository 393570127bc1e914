"""The code benchmark's measurements, against servers bench/code has started.

    python bench/code_measure.py --work DIR --source REPO --forge-port P --cgi-port P
        --dulwich-port P --forge-repo PATH --cgi-repo PATH --dulwich-repo PATH
        --token TOKEN --cookie COOKIE [--reps 3] [--pushes 100] [--requests 200]

Every figure is taken in alternating rounds (forge, git http-backend, dulwich,
forge, ...) so a change in the machine's load hits all three alike; medians are
printed.  The measuring process and the git clients it runs are pinned to CPU 0
(PIN=0 in the environment: not pinned); bench/code pins the servers to CPU 1.

* clone: the pack of the whole repository, asked for as ``git clone`` does
  (one upload-pack request) and read to its end: its size over the wall time is
  the throughput; ``--git-clones N`` also times N real ``git clone --bare`` from
  the forge and http-backend (at 10,000 commits of a 5,000-file directory the
  client's index-pack and connectivity check take most of a minute);
* push: a series of ``--pushes`` new commits (bench/code_repo.py series), new to
  every server, pushed as a new branch; the forge's time includes what it does
  after a push (one ``scm.commit`` event a commit);
* overhead: ``GET info/refs?service=git-upload-pack`` with ``Git-Protocol:
  version=2`` (git's first request of every fetch), one after another on a kept
  connection; the forge's median minus git http-backend's is what the forge adds
  to a request (anonymous, and with an API token in HTTP Basic).  The forge
  answers it from the advertisement it keeps (tools/code/advertisement.py: in
  protocol v2 it names no ref), so the same request without the header
  (protocol v0, whose answer lists the refs) is measured too: the forge runs
  git for it, as for every other smart-HTTP request;
* pages: the tree view of ``src/`` and the log pages, signed in, one request at a
  time: the median is a page's own time, without queueing; then ``src/`` at older
  commits, each a tree the forge has not listed before (its first view).
"""
import argparse
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from code_client import Bench, git, process_cpu, wait_for_commit_graph  # noqa: E402

SERVERS = ("forge", "cgi", "dulwich")
LABELS = {"forge": "forge", "cgi": "git http-backend (CGI, direct)", "dulwich": "dulwich.web"}
TARGET_CLONE_RATIO = 0.8
TARGET_OVERHEAD_MS = 5.0
TARGET_PAGE_MS = 50.0


def median(values):
    return statistics.median(values) if values else float("nan")


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def verdict(ok):
    return "MET" if ok else "MISSED"


def run(options):
    if os.environ.get("PIN", "1") == "1":
        os.sched_setaffinity(0, {0})
    bench = Bench(options)
    say = lambda text: print(text, flush=True)  # noqa: E731
    log = lambda text: print("[%s] %s" % (time.strftime("%H:%M:%S"), text),  # noqa: E731
                             file=sys.stderr, flush=True)

    # the pack a clone receives, alternating; dulwich (pure Python object
    # enumeration) gets fewer rounds and a time limit, at the very end: a pack it
    # has not finished keeps its server busy on the servers' CPU after the limit
    log("pack warm-up: one from git http-backend")
    bench.fetch_pack("cgi", options.pack_timeout)
    packs = {server: [] for server in SERVERS}
    size, objects = {}, {}
    rounds = [(rep, server) for rep in range(options.reps) for server in ("forge", "cgi")]
    late = [(rep, "dulwich") for rep in range(options.dulwich_reps)]

    def measure_packs(rounds):
        for rep, server in rounds:
            try:
                seconds, size[server], objects[server] = bench.fetch_pack(
                    server, options.pack_timeout)
            except (TimeoutError, OSError):
                log("pack %d %s: no answer within %d s" % (rep + 1, server,
                                                           options.pack_timeout))
                packs[server].append(float("inf"))
                continue
            packs[server].append(seconds)
            log("pack %d %s: %.2f s, %.1f MiB, %d objects" % (
                rep + 1, server, seconds, size[server] / 2 ** 20, objects[server]))
        if len(set(objects.values())) != 1:
            raise RuntimeError("the servers sent different packs: %r objects" % objects)
    measure_packs(rounds)
    clones = {server: [] for server in SERVERS}
    for rep in range(options.git_clones):
        for server in ("forge", "cgi"):
            seconds, _size = bench.clone(server, rep)
            clones[server].append(seconds)
            log("git clone %d %s: %.2f s" % (rep + 1, server, seconds))

    last_page = (options.commits + 24) // 25      # the forge's PAGE_SIZE
    last_log = "/p/c1/code/commits/main?page=%d" % last_page
    count = max(20, options.requests // 4)
    log("last log page before any push: no commit-graph yet")
    bench.page(last_log, 3, b'id="log"')
    no_graph = bench.page(last_log, count, b'id="log"')

    log("preparing %d series of %d commits to push" % (options.reps, options.pushes))
    client = bench.prepare_pushes()
    pushes = {server: [] for server in SERVERS}
    for rep in range(options.reps):
        for server in SERVERS:
            pushes[server].append(bench.push(client, server, rep))
            log("push %d %s: %.2f s" % (rep + 1, server, pushes[server][-1]))

    log("waiting for the commit-graph the forge writes after a push")
    graph_seconds = wait_for_commit_graph(options.forge_repo)
    log("commit-graph ready %.1f s after the last push" % graph_seconds)

    log("info/refs: %d requests per server and round" % options.requests)
    refs = {server: [] for server in SERVERS}
    refs_auth = []
    # CPU of the servers' own processes (and the database's, for the forge) per
    # request: what the forge adds, steadier than wall time on a loaded machine
    cpu = {key: [] for key in ("forge", "cgi", "dulwich", "forge-token",
                               "forge-v0", "cgi-v0", "forge-token-v0")}
    # protocol v0 (no Git-Protocol header): the answer lists the refs, so the forge
    # always runs git for it, as for every other smart-HTTP request
    refs_v0 = {key: [] for key in ("forge", "cgi", "forge-token")}
    pids = {"forge": options.forge_pid, "cgi": options.cgi_pid, "dulwich": options.dulwich_pid}

    def cpu_of(server):
        own = process_cpu(pids.get(server))
        return own + (process_cpu(options.db_pid) if server == "forge" else 0.0)
    for _rep in range(options.reps):
        for server in SERVERS:
            before = cpu_of(server)
            refs[server] += bench.info_refs(server, options.requests)
            cpu[server].append((cpu_of(server) - before) * 1000 / options.requests)
        before = cpu_of("forge")
        refs_auth += bench.info_refs("forge", options.requests, authenticated=True)
        cpu["forge-token"].append((cpu_of("forge") - before) * 1000 / options.requests)
        for key in ("forge", "cgi", "forge-token"):
            server = key.split("-")[0]
            before = cpu_of(server)
            refs_v0[key] += bench.info_refs(server, options.requests, protocol="",
                                            authenticated=key == "forge-token")
            cpu[key + "-v0"].append((cpu_of(server) - before) * 1000 / options.requests)

    log("pages: %d signed-in requests per page and round" % options.requests)
    pages = [("tree of src/ (%s files)" % format(options.files, ","),
              "/p/c1/code/tree/main/src", b"module_0000.py"),
             ("log, page 1", "/p/c1/code/commits/main", b'id="log"'),
             ("log, page 2", "/p/c1/code/commits/main?page=2", b'id="log"'),
             ("log, last page (%d)" % last_page,
              "/p/c1/code/commits/main?page=%d" % last_page, b'id="log"'),
             ("repository home", "/p/c1/code/", b'id="tree"')]
    # the same directory at other commits: another tree object each, never seen before
    older = git("--git-dir", options.source, "rev-list", "--max-count=%d" % (
        options.reps * count + 1), "refs/heads/main").split()[1:]
    cold_label = "tree of src/, first view of each tree"
    page_times = {label: [] for label, _path, _marker in pages}
    page_times[cold_label] = []
    for label, path, marker in pages:           # warm-up: templates, caches
        bench.page(path, 3, marker)
    for _rep in range(options.reps):
        for label, path, marker in pages:
            page_times[label] += bench.page(path, count, marker)
        for _ in range(count):
            page_times[cold_label] += bench.page("/p/c1/code/tree/%s/src" % older.pop(), 1,
                                                 b"module_0000.py")

    log("dulwich's pack last (%d round, at most %d s)" % (options.dulwich_reps,
                                                          options.pack_timeout))
    measure_packs(late)

    # ------------------------------------------------------------ report ---
    say("== code benchmark %s (%d cores; servers on CPU 1, clients on CPU 0: PIN=%s)"
        % (time.strftime("%Y-%m-%d %H:%M:%S"), os.cpu_count(), os.environ.get("PIN", "1")))
    say("repository: %s commits, %s files in src/, pack %.1f MiB (%s objects); "
        "%d alternating rounds" % (format(options.commits, ","), format(options.files, ","),
                                   size["cgi"] / 2 ** 20, format(objects["cgi"], ","),
                                   options.reps))
    say("git %s, dulwich %s, waitress threads=%s" % (
        git("--version").split()[-1], _dulwich_version(), os.environ.get("WAITRESS_THREADS",
                                                                         "4")))
    say("")
    pack_size = size["cgi"]
    say("clone: the pack of the whole repository       median s   MiB/s   ratio to http-backend")
    base = median(packs["cgi"])
    for server in SERVERS:
        m = median(packs[server])
        if m == float("inf"):
            say("  %-44s no pack within %d s (the time limit)" % (LABELS[server],
                                                                options.pack_timeout))
            continue
        say("  %-44s %8.2f %7.1f   %.2f   (runs: %s)" % (
            LABELS[server], m, pack_size / 2 ** 20 / m, base / m,
            " ".join("%.2f" % s for s in packs[server])))
    clone_ratio = base / median(packs["forge"])
    if options.git_clones:
        say("git clone --bare (client's index-pack and checks included)  median s")
        for server in ("forge", "cgi"):
            say("  %-44s %8.2f           %.2f   (runs: %s)" % (
                LABELS[server], median(clones[server]),
                median(clones["cgi"]) / median(clones[server]),
                " ".join("%.2f" % s for s in clones[server])))
    say("push of %d commits (new branch)               median s           ratio to http-backend"
        % options.pushes)
    base = median(pushes["cgi"])
    for server in SERVERS:
        m = median(pushes[server])
        say("  %-44s %8.2f           %.2f   (runs: %s)" % (
            LABELS[server], m, base / m, " ".join("%.2f" % s for s in pushes[server])))
    say("info/refs?service=git-upload-pack, protocol v2    p50 ms   p90 ms")
    for server in SERVERS:
        say("  %-44s %8.1f %8.1f" % (LABELS[server], median(refs[server]),
                                     percentile(refs[server], 0.9)))
    say("  %-44s %8.1f %8.1f" % ("forge, API token in HTTP Basic", median(refs_auth),
                                 percentile(refs_auth, 0.9)))
    overhead = median(refs["forge"]) - median(refs["cgi"])
    overhead_auth = median(refs_auth) - median(refs["cgi"])
    say("  forge's overhead per request (p50 minus http-backend's): %.1f ms anonymous "
        "(ratio %.2f), %.1f ms with a token (ratio %.2f)" % (
            overhead, median(refs["forge"]) / median(refs["cgi"]), overhead_auth,
            median(refs_auth) / median(refs["cgi"])))
    if options.forge_pid and options.cgi_pid:
        base_cpu = median(cpu["cgi"])
        say("  CPU ms per info/refs request, the server's own process (git's children not "
            "counted; the forge's with its database): http-backend CGI %.2f, dulwich %.2f, "
            "forge %.2f (+%.2f), forge with a token %.2f (+%.2f)" % (
                base_cpu, median(cpu["dulwich"]), median(cpu["forge"]),
                median(cpu["forge"]) - base_cpu, median(cpu["forge-token"]),
                median(cpu["forge-token"]) - base_cpu))
    say("info/refs?service=git-upload-pack, protocol v0    p50 ms   p90 ms   (refs listed: "
        "git runs)")
    for key, label in (("forge", "forge"), ("cgi", "git http-backend (CGI, direct)"),
                       ("forge-token", "forge, API token in HTTP Basic")):
        say("  %-44s %8.1f %8.1f" % (label, median(refs_v0[key]),
                                     percentile(refs_v0[key], 0.9)))
    overhead_v0 = median(refs_v0["forge"]) - median(refs_v0["cgi"])
    overhead_v0_auth = median(refs_v0["forge-token"]) - median(refs_v0["cgi"])
    say("  forge's overhead per request (p50 minus http-backend's): %.1f ms anonymous, "
        "%.1f ms with a token" % (overhead_v0, overhead_v0_auth))
    if options.forge_pid and options.cgi_pid:
        base_cpu = median(cpu["cgi-v0"])
        say("  CPU ms per request, own process (+ database for the forge): http-backend CGI "
            "%.2f, forge %.2f (+%.2f), forge with a token %.2f (+%.2f)" % (
                base_cpu, median(cpu["forge-v0"]), median(cpu["forge-v0"]) - base_cpu,
                median(cpu["forge-token-v0"]), median(cpu["forge-token-v0"]) - base_cpu))
    say("signed-in pages, one request at a time            p50 ms   p90 ms")
    say("  %-44s %8.1f %8.1f" % ("log, last page, before any push (no graph)",
                                 median(no_graph), percentile(no_graph, 0.9)))
    say("  (the commit-graph the forge wrote after the pushes was ready %.1f s after the "
        "last one)" % graph_seconds)
    for label in page_times:
        say("  %-44s %8.1f %8.1f" % (label, median(page_times[label]),
                                     percentile(page_times[label], 0.9)))
    say("")
    say("targets:")
    say("  clone throughput, forge / http-backend = %.2f (target >= %.1f): %s"
        % (clone_ratio, TARGET_CLONE_RATIO, verdict(clone_ratio >= TARGET_CLONE_RATIO)))
    say("  forge overhead per request = %.1f ms anonymous, %.1f ms with a token "
        "(target < %.0f): %s" % (overhead, overhead_auth, TARGET_OVERHEAD_MS,
                                 verdict(max(overhead, overhead_auth) < TARGET_OVERHEAD_MS)))
    say("  the same with protocol v0 (git runs) = %.1f ms anonymous, %.1f ms with a token "
        "(target < %.0f): %s" % (overhead_v0, overhead_v0_auth, TARGET_OVERHEAD_MS,
                                 verdict(max(overhead_v0, overhead_v0_auth)
                                         < TARGET_OVERHEAD_MS)))
    for label in (pages[0][0], pages[1][0]):
        p50 = median(page_times[label])
        say("  %s p50 = %.1f ms (target < %.0f): %s" % (label, p50, TARGET_PAGE_MS,
                                                        verdict(p50 < TARGET_PAGE_MS)))
    say("  dulwich / http-backend: clone %.2f, push %.2f (higher is faster)" % (
        median(packs["cgi"]) / median(packs["dulwich"]),
        median(pushes["cgi"]) / median(pushes["dulwich"])))


def _dulwich_version():
    try:
        import dulwich
        return ".".join(map(str, dulwich.__version__))
    except ImportError:
        return "(not installed)"


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", required=True)
    parser.add_argument("--source", required=True)
    for server in SERVERS:
        parser.add_argument("--%s-port" % server, type=int, required=True)
        parser.add_argument("--%s-repo" % server, required=True)
    for name in ("forge", "cgi", "dulwich", "db"):
        parser.add_argument("--%s-pid" % name, type=int, help="for CPU per request")
    parser.add_argument("--token", required=True)
    parser.add_argument("--cookie", required=True)
    parser.add_argument("--commits", type=int, required=True)
    parser.add_argument("--files", type=int, required=True)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--pushes", type=int, default=100)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--git-clones", type=int, default=0)
    parser.add_argument("--dulwich-reps", type=int, default=1)
    parser.add_argument("--pack-timeout", type=int, default=300)
    try:
        run(parser.parse_args(argv[1:]))
    except RuntimeError as error:
        print("FAILED: %s" % error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
