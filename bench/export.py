"""Export/import benchmark (issue 15): a project with N tickets, each with 5
versions and 5 comments, on the embedded database server (nx-27017)::

    .venv/bin/python bench/export.py            # 1,000 and 10,000 tickets
    .venv/bin/python bench/export.py --quick    # 1,000 tickets only
    .venv/bin/python bench/export.py --tickets 500 2000

For each N: seeds a fresh server (one ticket made through the forge's own
actions, then copied with bulk inserts: 1 artifact, 5 snapshots, 1 thread and
5 posts per ticket), then runs ``forge.archive.export_project`` and
``plan_import`` + ``import_archive`` (as ``bench-copy`` in the same forge),
each in a process of its own so its peak RSS is its own. Prints documents/s
(records in the archive / wall time), CPU seconds of the process and of the
database server during the phase, and peak RSS. Targets: export >= 2,000
documents/s, import >= 1,000 documents/s, peak RSS within 20% between the
smallest and the largest N.

The baseline, measured in the same run on the same server: the archive's
records (decoded, not remapped) written with plain pymongo ``insert_many``
(ordered batches of 1,000, no transaction) into a scratch database with the
same indexes; only the ``insert_many`` calls are timed. The import's ratio to
it says how close the import comes to what the server takes by itself.
"""
import argparse
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

DATABASE = "forge_bench_export"
PHASES = ("export", "import", "raw")
VERSIONS, COMMENTS = 5, 5


def settings(url):
    return {"ming.main.uri": url, "ming.main.database": DATABASE,
            "forge.secret": "export-benchmark-secret", "forge.bus.url": "memory://",
            "forge.bus.relay": "off", "pyramid.reload_templates": "false"}


def app_for(url, data_dir):
    from forge import main
    return main({}, **dict(settings(url), **{"forge.data_dir": data_dir}))


def seed(url, data_dir, tickets):
    """The project ``bench`` with a tracker of ``tickets`` tickets."""
    from forge.actions.projects import create_project, install_tool
    from forge.actions.users import create_user
    from forge.discussion.actions import add_post
    from forge.model import Neighborhood, session
    from forge.model.session import doc_session, new_id
    from pyramid.testing import DummyRequest
    from pyramid.traversal import find_resource
    from forge.resources import SiteRoot
    from tools.tracker.actions import create_ticket, update_ticket

    registry = app_for(url, data_dir).registry
    ada = create_user(registry, "ada", "ada@example.test", "bench password 1")
    project = create_project(registry, Neighborhood.query.get(name="p"), "bench", "Bench", ada)
    tracker = install_tool(registry, project, "tracker", "tickets", ada)
    ticket = create_ticket(registry, project, tracker, {"title": "Ticket 1",
                                                        "description": "words " * 40}, ada)
    session.flush()
    for version in range(2, VERSIONS + 1):
        ticket, _ = update_ticket(registry, ticket, ticket.version,
                                  {"title": "Ticket 1 v%d" % version}, ada)
        session.flush()
    session.close()
    for number in range(COMMENTS):
        request = DummyRequest()
        request.registry = registry
        add_post(registry, find_resource(SiteRoot(request), "/p/bench/tickets/1/"),
                 "Comment %d with some words in it" % number, ada, may_skip_moderation=True)
        session.close()
    db = doc_session.db
    template = db.artifact.find_one({"type": "tracker.ticket", "number": 1})
    snapshots = list(db.snapshot.find({"artifact_id": template["_id"]}))
    thread = db.thread.find_one({"ref_id": template["_id"]})
    posts = list(db.post.find({"thread_id": thread["_id"]}))
    batch = {"artifact": [], "snapshot": [], "thread": [], "post": []}
    for number in range(2, tickets + 1):
        artifact_id, thread_id = new_id(), new_id()
        name = str(number)
        batch["artifact"].append(dict(template, _id=artifact_id, number=number, path=name,
                                      family=name, title="Ticket %d" % number))
        batch["snapshot"] += [dict(s, _id=new_id(), artifact_id=artifact_id)
                              for s in snapshots]
        batch["thread"].append(dict(thread, _id=thread_id, ref_id=artifact_id, ref_path=name))
        batch["post"] += [dict(p, _id=new_id(), thread_id=thread_id, ref_id=artifact_id,
                               path=name) for p in posts]
        if len(batch["artifact"]) >= 200 or number == tickets:
            for collection, documents in batch.items():
                if documents:
                    db[collection].insert_many(documents)
                documents.clear()
    db.tracker_counter.replace_one({"_id": tracker._id}, {"_id": tracker._id, "last": tickets},
                                   upsert=True)
    return project._id


def raw_insert_many(url, path):
    """The baseline: the archive's records into a scratch database with the
    forge's indexes, by plain ``insert_many``; returns (records, seconds)."""
    import pymongo
    from forge.archive import ArchiveReader
    from forge.archive.validate import records
    client = pymongo.MongoClient(url)
    source, scratch = client[DATABASE], client[DATABASE + "_raw"]
    client.drop_database(scratch.name)
    count, seconds = 0, 0.0
    with ArchiveReader(path) as reader:
        for kind in reader.manifest["kinds"]:
            for name, index in source[kind].index_information().items():
                if name != "_id_":
                    scratch[kind].create_index(index["key"], unique=index.get("unique", False))
            batch = []
            for _where, record in records(reader, kind):
                batch.append(record)
                if len(batch) == 1000:
                    seconds += _timed_insert(scratch[kind], batch)
                    count, batch = count + len(batch), []
            if batch:
                seconds += _timed_insert(scratch[kind], batch)
                count += len(batch)
    client.drop_database(scratch.name)
    client.close()
    return count, seconds


def _timed_insert(collection, batch):
    started = time.perf_counter()
    collection.insert_many(batch, ordered=True)
    return time.perf_counter() - started


def child(phase, url, data_dir, path):
    """One measured phase in this process; prints a JSON line."""
    if phase == "raw":
        records, seconds = raw_insert_many(url, path)
        print(json.dumps({"phase": phase, "records": records, "seconds": seconds,
                          "cpu_seconds": time.process_time(), "peak_rss_mb": peak_rss(),
                          "rss_before_mb": 0}))
        return
    from forge.archive import ArchiveReader, export_project, import_archive, plan_import
    from forge.model import Project
    registry = app_for(url, data_dir).registry
    start_rss = peak_rss()
    started = time.perf_counter()
    cpu_started = time.process_time()
    if phase == "export":
        summary = export_project(registry, Project.query.get(shortname="bench")._id, path)
        records = summary.records
    else:
        with ArchiveReader(path) as reader:
            plan = plan_import(registry, reader, as_path="bench-copy")
            planned = time.perf_counter() - started
            summary = import_archive(registry, reader, plan)
        records = summary.records
    seconds = time.perf_counter() - started
    result = {"phase": phase, "records": records, "seconds": seconds,
              "cpu_seconds": time.process_time() - cpu_started,
              "peak_rss_mb": peak_rss(), "rss_before_mb": start_rss}
    if phase == "import":
        result["check_seconds"] = planned
    print(json.dumps(result))


def peak_rss():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def cpu_seconds_of(pid):
    """User + system CPU seconds of a process so far (/proc/PID/stat)."""
    try:
        with open("/proc/%d/stat" % pid) as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def measure(tickets):
    from forge.embedded import EmbeddedMongo
    work = tempfile.mkdtemp(prefix="forge-bench-export-")
    database = EmbeddedMongo(os.path.join(work, "db"), free_port()).start()
    try:
        started = time.perf_counter()
        seed_process = subprocess.run(
            [sys.executable, __file__, "--seed", str(tickets), "--url", database.url,
             "--data-dir", work], capture_output=True, text=True)
        if seed_process.returncode != 0:
            raise SystemExit(seed_process.stderr)
        seeded = time.perf_counter() - started
        path = os.path.join(work, "bench.zip")
        results = {}
        for phase in PHASES:
            server_cpu = cpu_seconds_of(database.process.pid)
            done = subprocess.run([sys.executable, __file__, "--child", phase, "--url",
                                   database.url, "--data-dir", work, "--file", path],
                                  capture_output=True, text=True)
            if done.returncode != 0:
                raise SystemExit(done.stderr)
            results[phase] = json.loads(done.stdout.strip().splitlines()[-1])
            results[phase]["server_cpu_seconds"] = cpu_seconds_of(
                database.process.pid) - server_cpu
            results[phase]["load"] = os.getloadavg()[0]
        results["seed_seconds"] = seeded
        results["archive_mb"] = os.path.getsize(path) / 1024.0 / 1024.0
        return results
    finally:
        database.stop()
        shutil.rmtree(work, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tickets", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--quick", action="store_true", help="1,000 tickets only")
    parser.add_argument("--seed", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--child", choices=PHASES, help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed:
        seed(args.url, args.data_dir, args.seed)
        return
    if args.child:
        child(args.child, args.url, args.data_dir, args.file)
        return
    counts = [1000] if args.quick else args.tickets
    rows = []
    for tickets in counts:
        result = measure(tickets)
        rows.append((tickets, result))
        for phase in PHASES:
            r = result[phase]
            extra = " (checks %.1f s)" % r["check_seconds"] if phase == "import" else ""
            print("%6d tickets  %-6s %7d records  %6.1f s  %7.0f docs/s  CPU %5.1f s "
                  "+ server %5.1f s  peak RSS %6.1f MB (%.1f MB at start)  load %.1f%s" % (
                      tickets, phase, r["records"], r["seconds"],
                      r["records"] / r["seconds"], r["cpu_seconds"],
                      r["server_cpu_seconds"], r["peak_rss_mb"], r["rss_before_mb"],
                      r["load"], extra), flush=True)
        imported, raw = (result[p]["records"] / result[p]["seconds"] for p in ("import", "raw"))
        print("%6d tickets  import / raw insert_many: %.2f (%.0f vs %.0f docs/s)" % (
            tickets, imported / raw, imported, raw))
        print("%6d tickets  archive %.1f MB, seeding %.1f s" % (
            tickets, result["archive_mb"], result["seed_seconds"]), flush=True)
    if len(rows) > 1:
        for phase in ("export", "import"):
            low, high = rows[0][1][phase]["peak_rss_mb"], rows[-1][1][phase]["peak_rss_mb"]
            print("%s peak RSS %d -> %d tickets: %+.0f%%" % (
                phase, rows[0][0], rows[-1][0], 100.0 * (high - low) / low))


if __name__ == "__main__":
    main()
