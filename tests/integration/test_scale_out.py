"""Production scaled out on one machine: two web processes (``pserve`` of an INI
file, as production runs them) and two ``forge worker`` processes on the real
RabbitMQ and the session's database server, driven by concurrent writers.

Each web process and its worker form a search node (``forge.search.node`` a
and b: their own queue from the bus, their own index under their data dir), so
search needs no shared disk.  Checked:

* caches exact across processes: a change made through one web process is on
  the other's very next page: the page cache (a stored page of the other
  process is not served again), the tree cache (a project's new title), and
  under load (each writer reads its change back from the other process);
* no lost event, none handled twice: every change has exactly one activity
  entry, each search node's reactor processed every event exactly once (the
  workers' counters), no failure, no dead letter, and both nodes' indexes hold
  every ticket and page exactly once;
* ``/@@metrics`` of a web process (from the allow-listed 127.0.0.1) and
  ``/@@health``;
* events saved while no worker runs wait in the nodes' queues and are all
  handled once two new workers start.

It prints the events per second through the two workers (under the writers'
load, and draining the backlog) and the CPU each process spent (run with
``-s`` to see them).
"""
import os
import signal
import threading
import time

import pytest

from forge.model.session import session

from .scale_out_site import BACKLOG, NODES, ROUNDS, WRITERS, ScaleOutSite, call, cpu_seconds

pytestmark = pytest.mark.integration


@pytest.fixture
def site(mongo_url, tmp_path):
    with ScaleOutSite(mongo_url, tmp_path) as built:
        yield built


def stats():
    session.close()
    return {row["_id"]: row for row in session.db["bus_stats"].find()}


def processed(before, after, reactor):
    return after.get(reactor, {}).get("processed", 0) - \
        before.get(reactor, {}).get("processed", 0)


def outbox_events(after_seq):
    session.close()
    return list(session.db["outbox"].find({"seq": {"$gt": after_seq}},
                                          {"_id": 1, "topic": 1, "sent": 1, "message": 1}))


def last_seq():
    session.close()
    rows = list(session.db["outbox"].find({}, {"seq": 1}).sort("seq", -1).limit(1))
    return rows[0]["seq"] if rows else 0


def unsent_left():
    """Some outbox record is not sent yet: one read on the (sent, seq) index
    (counting them cost nx-27017 ~40 ms of CPU at 1,500 records, every poll)."""
    return session.db["outbox"].find_one({"sent": False}, {"_id": 1}) is not None


def quiet(site, reactors):
    """Wait until every event is sent and the reactors' counters stop moving."""
    def settled():
        if unsent_left():
            return None
        first = stats()
        time.sleep(1.5)           # the workers add their counters about every second
        second = stats()
        same = all(first.get(r, {}).get("processed") == second.get(r, {}).get("processed")
                   for r in reactors)
        return second if same else None
    return site.wait_for("the bus to be quiet", settled)


def test_two_web_processes_and_two_workers(site):
    from forge.actions.tokens import create_token
    workers = site.start_node_workers(NODES)        # the two start-ups overlap
    webs = site.start_webs(NODES)
    ada, project, _tools = site.create_demo_project("scale out pass 1",
                                                    ("tracker", "tickets"), ("wiki", "wiki"))
    _record, token = create_token(ada, "load")
    session.close()
    a, b = (web.url for web in webs)
    counted = ("forge.activity", "forge.search.a", "forge.search.b")

    # -- caches exact across processes, one change at a time --------------------
    made = call("POST", a + "/rest/p/demo/wiki/@@items",
                {"name": "Shared", "text": "first words"}, token)
    assert made.status == 201, made.text
    quiet(site, counted)        # the workers' writes (activity) would empty the page cache
    page = b + "/p/demo/wiki/Shared/"
    assert "first words" in call("GET", page).text
    stored = call("GET", page)
    assert stored.headers["X-Forge-Page-Cache"] == "hit" and "first words" in stored.text
    edit = call("PATCH", a + "/rest/p/demo/wiki/Shared/", {"text": "second words"}, token,
                headers={"If-Match": '"1"'})
    assert edit.status == 200, edit.text
    fresh = call("GET", page)           # B's next page: not its stored one
    assert "second words" in fresh.text and "first words" not in fresh.text
    assert fresh.headers["X-Forge-Page-Cache"] == "miss"
    home = b + "/p/demo/"
    assert "Demo" in call("GET", home).text           # B's tree cache holds the project
    project_json = call("GET", a + "/rest/p/demo/", token=token)
    renamed = call("PATCH", a + "/rest/p/demo/", {"title": "Renamed Orchard"}, token,
                   headers={"If-Match": project_json.headers["ETag"]})
    assert renamed.status == 200, renamed.text
    assert "Renamed Orchard" in call("GET", home).text
    assert call("GET", b + "/rest/p/demo/", token=token).json["title"] == "Renamed Orchard"

    baseline = quiet(site, counted)
    start_seq = last_seq()

    # -- concurrent writers through both processes --------------------------------
    problems, tickets, pages = [], [], []

    def writer(number):
        try:
            name = "Load%d" % number
            made = call("POST", webs[number % 2].url + "/rest/p/demo/wiki/@@items",
                        {"name": name, "text": "born"}, token)
            assert made.status == 201, made.text
            pages.append(name)
            version = 1
            for round_ in range(ROUNDS):
                here, there = webs[(number + round_) % 2].url, webs[(number + round_ + 1) % 2].url
                title = "Ticket w%d r%d zebra" % (number, round_)
                created = call("POST", here + "/rest/p/demo/tickets/@@items",
                               {"title": title}, token)
                assert created.status == 201, created.text
                ticket = created.json["name"]
                tickets.append((ticket, title))
                seen = call("GET", "%s/rest/p/demo/tickets/%s/" % (there, ticket), token=token)
                assert seen.status == 200 and seen.json["title"] == title, seen.text
                assert title in call("GET", "%s/p/demo/tickets/%s/" % (there, ticket)).text
                # the other process's wiki page, read (and perhaps stored), then changed here
                call("GET", "%s/p/demo/wiki/%s/" % (there, name))
                words = "revision %d of writer %d" % (round_, number)
                saved = call("PATCH", "%s/rest/p/demo/wiki/%s/" % (here, name),
                             {"text": words}, token,
                             headers={"If-Match": '"%d"' % version})
                assert saved.status == 200, saved.text
                version += 1
                shown = call("GET", "%s/p/demo/wiki/%s/" % (there, name)).text
                assert words in shown, "a stale page after %s" % words
        except BaseException as error:           # reported by the main thread
            problems.append(repr(error))

    cpu_before = {p.pid: cpu_seconds(p.pid) for p in
                  [w.process for w in workers] + [w.process for w in webs]}
    started = time.monotonic()
    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(600)
    written = time.monotonic() - started
    assert not problems, problems

    events = outbox_events(start_seq)
    expected = len(events)
    assert expected >= WRITERS * (1 + 2 * ROUNDS)

    def all_processed():
        now = stats()
        return now if all(processed(baseline, now, r) >= expected for r in counted) else None
    after = site.wait_for("every event through both workers", all_processed)
    elapsed = time.monotonic() - started
    cpu = {pid: cpu_seconds(pid) - before for pid, before in cpu_before.items()}
    after = quiet(site, counted)

    # -- nothing lost, nothing twice -------------------------------------------------
    for reactor in counted:
        assert processed(baseline, after, reactor) == expected, reactor
    for row in after.values():
        assert row.get("dead_lettered", 0) == baseline.get(row["_id"], {}).get(
            "dead_lettered", 0), row
    changes = [e for e in events if e["topic"].startswith(("tracker.ticket.", "wiki.page."))]
    assert len(changes) == WRITERS * (1 + 2 * ROUNDS)
    for event in changes:
        assert session.db["activity"].count_documents({"event_id": event["_id"]}) == 1, event

    import tantivy
    from forge.model import Artifact
    from forge.model.session import collection
    from forge.search.index import SearchIndex
    artifact_ids = [row["_id"] for row in collection(Artifact).find(
        {"project_id": project._id, "deleted": {"$ne": True}}, {"_id": 1})]
    assert len(artifact_ids) == len(tickets) + len(pages) + 1      # and "Shared"
    for node in NODES:
        index = SearchIndex(str(site.tmp_path / ("node-%s" % node) / ("search-index-%s" % node)))
        searcher = index.searcher()
        assert searcher.num_docs == len(artifact_ids), node
        for artifact_id in artifact_ids:
            query = tantivy.Query.term_query(index.schema, "id", artifact_id)
            assert searcher.search(query, 10).count == 1, (node, artifact_id)
    for web in webs:                    # each web process finds in its node's index
        found = call("GET", web.url + "/p/demo/@@search?q=zebra")
        assert "%d results" % len(tickets) in found.text, found.text[-2000:]

    # -- metrics and health of a web process ------------------------------------------
    metrics = call("GET", a + "/@@metrics")
    assert metrics.status == 200
    assert 'forge_bus_dead_letters{reactor="forge.search.a"} 0.0' in metrics.text
    for name in ("zebra", "Load0", "Orchard", "Shared", "/p/"):   # names and URLs
        assert name not in metrics.text, name
    assert call("GET", b + "/@@metrics", headers={"X-Forwarded-For": "198.51.100.4"}
                ).status == 200        # pserve without trusted_proxy: the socket's address
    health = call("GET", a + "/@@health", headers={"Accept": "application/json"}).json
    assert health["parts"]["database"]["status"] == "ok"
    assert health["parts"]["search"]["documents"] >= len(tickets) + len(pages)

    load = os.getloadavg()
    print("\nscale out: %d writers x %d rounds; %d events (%d changes) written in %.1fs; "
          "all through activity and both search nodes in %.1fs: %.1f events/s "
          "(x3 reactor queues); load %.2f %.2f %.2f" % (
              WRITERS, ROUNDS, expected, len(changes), written, elapsed, expected / elapsed,
              *load))
    for process, label in [(w.process, "worker %s" % n) for w, n in zip(workers, NODES)] + \
            [(w.process, "web %s" % w.node) for w in webs]:
        print("  %s: %.0f ms CPU, %.1f ms per event" % (
            label, cpu[process.pid] * 1000, cpu[process.pid] * 1000 / expected))
    for web in webs:
        assert "Traceback" not in web.text(), web.text()
    for worker in workers:
        assert "Traceback" not in worker.text(), worker.text()

    # -- a backlog: written while no worker runs, drained by two new ones -----------
    for worker in workers:
        worker.process.send_signal(signal.SIGTERM)
    for worker in workers:
        assert worker.process.wait(60) == 0, worker.text()
    baseline, start_seq = after, last_seq()

    def backlog_writer(number):
        try:
            for round_ in range(BACKLOG // WRITERS):
                made = call("POST", webs[(number + round_) % 2].url
                            + "/rest/p/demo/tickets/@@items",
                            {"title": "Backlog w%d r%d" % (number, round_)}, token)
                assert made.status == 201, made.text
        except BaseException as error:
            problems.append(repr(error))
    threads = [threading.Thread(target=backlog_writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(600)
    assert not problems, problems
    site.wait_for("the backlog handed to the broker",
                  lambda: not unsent_left())
    backlog = len(outbox_events(start_seq))
    assert backlog == BACKLOG
    workers = site.start_node_workers(NODES)
    cpu_before = {w.process.pid: cpu_seconds(w.process.pid) for w in workers}
    started = time.monotonic()

    def drained():
        now = stats()
        return now if all(processed(baseline, now, r) >= backlog for r in counted) else None
    site.wait_for("the backlog through both workers", drained)
    elapsed = time.monotonic() - started
    after = quiet(site, counted)
    for reactor in counted:
        assert processed(baseline, after, reactor) == backlog, reactor
    load = os.getloadavg()
    print("backlog: %d events queued with the workers stopped, drained by two new workers "
          "in %.1fs (from their start, incl. the counters' 1 s flush): %.1f events/s; "
          "load %.2f %.2f %.2f" % (backlog, elapsed, backlog / elapsed, *load))
    for worker, node in zip(workers, NODES):
        used = cpu_seconds(worker.process.pid) - cpu_before[worker.process.pid]
        print("  worker %s: %.0f ms CPU, %.1f ms per event" % (
            node, used * 1000, used * 1000 / backlog))
