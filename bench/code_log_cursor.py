"""The code log's two ways to a deep page: ``?page=N`` (``git log --skip``) and
the stable cursor ``?after=SHA`` (``rev-list`` read up to the page's end).

    .venv/bin/python bench/code_log_cursor.py [--commits 10000] [--rounds 15]

Writes a repository of ``--commits`` commits with ``git fast-import`` (each
changes ``n.txt``; every tenth also ``ten.txt``) under a temporary directory,
then times, in alternating rounds, what the log view asks the repository for
(``tools.code.repository.Repository``: the page template and the forge's
request work are the same for both, so they are left out): page 1, a page in
the middle and the last page, the whole log and the log of ``ten.txt``, without
and then with a commit-graph (``tools.code.commit_graph``, as written after a
push).  Prints the median wall ms and CPU ms (this process and its git
children) of each, and the cursor's ratio to the page number's.
"""
import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from tools.code.commit_graph import write_commit_graph  # noqa: E402
from tools.code.repository import Repository  # noqa: E402

PAGE = 25   # forge.listing.PAGE_SIZE


def fast_import_stream(commits):
    lines = []
    for n in range(commits):
        when = 1_700_000_000 + n * 60
        lines += ["commit refs/heads/main", "mark :%d" % (n + 1),
                  "committer Bench <bench@example.test> %d +0000" % when,
                  "data <<EOT", "Change %d" % n, "EOT"]
        if n:
            lines.append("from :%d" % n)
        lines += ["M 100644 inline n.txt", "data <<EOT", str(n), "EOT"]
        if n % 10 == 0:
            lines += ["M 100644 inline ten.txt", "data <<EOT", str(n), "EOT"]
        lines.append("")
    return ("\n".join(lines) + "\n").encode()


def make_repository(path, commits):
    subprocess.run(["git", "init", "--bare", "--quiet", "--initial-branch=main", path],
                   check=True)
    subprocess.run(["git", "--git-dir", path, "fast-import", "--quiet"],
                   input=fast_import_stream(commits), check=True)
    subprocess.run(["git", "--git-dir", path, "repack", "-a", "-d", "-q"], check=True)


def cpu_seconds():
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(call):
    wall, cpu = time.perf_counter(), cpu_seconds()
    result = call()
    return (time.perf_counter() - wall) * 1000, (cpu_seconds() - cpu) * 1000, result


def cases(repo, head, path):
    """(label, page-number call, cursor call) per depth, checked to agree."""
    walk = [c["sha"] for c in repo.log(head, 0, 1_000_000, path)]
    last = (len(walk) - 1) // PAGE * PAGE
    depths = [("page 2", PAGE), ("middle page", len(walk) // 2 // PAGE * PAGE),
              ("last page", last)]
    found = []
    for label, skip in depths:
        by_page = (lambda skip=skip: repo.log(head, skip, PAGE + 1, path))
        by_cursor = (lambda skip=skip: repo.log_next_to(head, walk[skip - 1], PAGE, path))
        shown = [c["sha"] for c in by_page()][:PAGE]
        assert shown == [c["sha"] for c in by_cursor()[0]], label
        found.append(("%s (%d)" % (label, skip // PAGE + 1), by_page, by_cursor))
    return found


def measure(repo, head, rounds):
    rows = []
    for path, what in (("", "log"), ("ten.txt", "log of ten.txt")):
        for label, by_page, by_cursor in cases(repo, head, path):
            times = {"page": [], "cursor": []}
            for _ in range(3):
                by_page(), by_cursor()      # warm the page cache
            for _ in range(rounds):
                for key, call in (("page", by_page), ("cursor", by_cursor)):
                    wall, cpu, _result = timed(call)
                    times[key].append((wall, cpu))
            rows.append(("%s, %s" % (what, label), times))
    return rows


def report(title, rows):
    print(title)
    print("  %-34s %22s %22s %14s" % ("", "?page=N wall/CPU ms", "?after=SHA wall/CPU ms",
                                      "ratio (wall)"))
    for label, times in rows:
        med = {key: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v))
               for key, v in times.items()}
        print("  %-34s %10.1f / %9.1f %10.1f / %9.1f %14.2f" % (
            label, *med["page"], *med["cursor"], med["cursor"][0] / med["page"][0]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--commits", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=15)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-log-") as tmp:
        path = os.path.join(tmp, "r.git")
        started = time.perf_counter()
        make_repository(path, options.commits)
        print("repository: %d commits, written in %.1f s; load average %s" % (
            options.commits, time.perf_counter() - started,
            " ".join("%.2f" % x for x in os.getloadavg())))
        repo = Repository(path)
        head = repo.resolve("main")
        report("without a commit-graph", measure(repo, head, options.rounds))
        write_commit_graph(path)
        report("with the commit-graph a push writes", measure(repo, head, options.rounds))
        print("load average after: %s" % " ".join("%.2f" % x for x in os.getloadavg()))


if __name__ == "__main__":
    main()
