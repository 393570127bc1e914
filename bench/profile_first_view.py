"""CPU of a session's first view of a signed-in page (what a reader arriving cold costs).

    python bench/profile_first_view.py MONGO_PORT TARGETS_FILE [-n 30] [--db-pid PID]
                                       [--only REGEX] [--profile DIR]
    python bench/profile_first_view.py MONGO_PORT TARGETS_FILE --trees BEFORE AFTER [--rounds 3] ...

``bench/profile_signed.py`` repeats one session's view, so the pieces kept
per reader (``forge.fragments``) are warm; a reader who has just signed in
has none.  This script signs in ``n`` fresh sessions of the benchmark member
up front (sign-in writes; the generations must not move while measuring),
then warms what every reader shares (render cache, tree cache, the pieces
kept per generation) with one more session's views, and then GETs each row
once in each of the ``n`` sessions: the forge's CPU ms and the database
server's CPU ms per first view, without a profiler.  ``--profile DIR``
signs in ``n`` more sessions and writes a cProfile summary of their first
views (``DIR/<label>.txt``).

``--trees`` compares checkouts as ``bench/profile_signed.py --trees`` does:
each round runs this script from each tree in turn, in its own process, and
prints each row's medians side by side.
"""
import argparse
import cProfile
import io
import os
import pstats
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import forge  # noqa: E402
from forge_settings import settings  # noqa: E402
from profile_page import TIMER, process_cpu, signed_in_app, write_stats  # noqa: E402
import profile_signed  # noqa: E402
from profile_signed import signed_rows  # noqa: E402

WARM_VIEWS = 5


def first_views(sessions, path, db_pid):
    """Each session's first GET of ``path``: forge and database CPU ms per view."""
    TIMER.names.clear()
    TIMER.active = True
    cpu0, db0 = time.process_time(), process_cpu(db_pid)
    for browser in sessions:
        browser.get(path, status=200)
    n = len(sessions)
    forge_ms = 1000 * (time.process_time() - cpu0) / n
    db_ms = 1000 * (process_cpu(db_pid) - db0) / n
    TIMER.active = False
    commands = ", ".join("%s %.1f" % (k, v / n) for k, v in TIMER.names.most_common())
    return forge_ms, db_ms, commands


def profile(sessions, path, out_file):
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    for browser in sessions:
        browser.get(path, status=200)
    profiler.disable()
    profiler.dump_stats(out_file.replace(".txt", ".pstats"))
    out = io.StringIO()
    write_stats(out, pstats.Stats(profiler), len(sessions), 70,
                "CPU time of the forge process, first views")
    with open(out_file, "w") as f:
        f.write(out.getvalue())


def compare_trees(args):
    """Each tree in turn, a process per tree and round: this script (a tree
    from before it has none) with the forge of each tree."""
    return profile_signed.compare_trees(args, script_of=lambda tree: os.path.abspath(__file__))


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mongo_port", type=int)
    parser.add_argument("targets")
    parser.add_argument("-n", type=int, default=30, help="fresh sessions (first views) per row")
    parser.add_argument("--db-pid", type=int)
    parser.add_argument("--only")
    parser.add_argument("--profile", help="a directory for per-row cProfile summaries")
    parser.add_argument("--trees", nargs="+", metavar="DIR",
                        help="checkouts to compare (each in its own process, alternating)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv[1:])
    if args.trees:
        return compare_trees(args)
    app = forge.main({}, **settings(args.mongo_port))
    rows = list(signed_rows(args.targets, args.only))
    # every sign-in before any view: a sign-in writes, and what is kept per
    # generation must stay warm while the first views are measured
    warm = signed_in_app(app, True)
    sessions = {label: [signed_in_app(app, True) for _ in range(args.n)] for label, _ in rows}
    profiled = {label: [signed_in_app(app, True) for _ in range(args.n)] for label, _ in rows} \
        if args.profile else {}
    for label, path in rows:
        for _ in range(WARM_VIEWS):
            warm.get(path, status=200)
    print("%-18s %10s %10s %10s  %s" % ("row", "forge ms", "db ms", "total ms", "commands/view"))
    for label, path in rows:
        forge_ms, db_ms, commands = first_views(sessions[label], path, args.db_pid)
        print("%-18s %10.2f %10.2f %10.2f  %s" % (label, forge_ms, db_ms, forge_ms + db_ms,
                                                 commands), flush=True)
        if args.profile:
            os.makedirs(args.profile, exist_ok=True)
            profile(profiled[label], path, os.path.join(args.profile, label + ".txt"))


if __name__ == "__main__":
    main(sys.argv)
