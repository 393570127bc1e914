"""The database unreachable: 503 + Retry-After (never a 500), and ``/@@health``."""
import json

import pytest
from ming import mim
from pymongo.errors import AutoReconnect, ServerSelectionTimeoutError

from forge.health import (CACHE_SECONDS, DEGRADED, DOWN, OK, HealthProbes,
                          LAG_DEGRADED_SECONDS, overall)
from forge.model.outbox import OutboxEvent
from forge.model.session import collection


@pytest.fixture
def database_down(monkeypatch):
    """Every read and write of the in-memory database fails as pymongo does
    when the server is gone; ``database_down.up()`` brings it back."""
    failing = {"error": ServerSelectionTimeoutError("127.0.0.1:27018: [Errno 111] refused")}

    def refuse(name):
        original = getattr(mim.Collection, name)

        def refused(self, *args, **kw):
            if failing["error"] is not None:
                raise failing["error"]
            return original(self, *args, **kw)
        monkeypatch.setattr(mim.Collection, name, refused)

    for name in ("find", "find_one", "insert_one", "update_one", "replace_one",
                 "find_one_and_update", "count_documents", "aggregate", "delete_one"):
        refuse(name)

    class Switch:
        def fail_with(self, error):
            failing["error"] = error

        def up(self):
            failing["error"] = None
    return Switch()


@pytest.fixture
def fresh_health(registry):
    registry.forge_health = HealthProbes(registry)
    return registry.forge_health


# -- 503 while the database is down ----------------------------------------------

@pytest.mark.parametrize("path", ["/", "/p/", "/@@login", "/p/nothing/here/"])
def test_pages_answer_503_with_retry_after(forge_browser, database_down, path):
    response = forge_browser.get(path, status="*")
    assert response.status_int == 503
    assert response.headers["Retry-After"].isdigit()
    assert response.headers["Cache-Control"] == "no-store"
    assert "Temporarily unavailable" in response.text
    assert "Traceback" not in response.text and "27018" not in response.text


def test_a_lost_connection_is_503_too_and_service_resumes(forge_browser, database_down,
                                                          make_user):
    database_down.fail_with(AutoReconnect("connection closed"))
    assert forge_browser.get("/", status="*").status_int == 503
    database_down.up()
    assert forge_browser.get("/", status="*").status_int == 200


def test_a_form_post_while_down_is_503_not_500(forge_browser, database_down):
    database_down.up()
    token = forge_browser.csrf()
    database_down.fail_with(ServerSelectionTimeoutError("gone"))
    response = forge_browser.post("/@@login", {"username": "x", "password": "y",
                                               "csrf_token": token}, status="*")
    assert response.status_int == 503


def test_json_clients_get_json(forge_browser, database_down):
    response = forge_browser.get("/", headers={"Accept": "application/json"}, status=503)
    assert response.json["status"] == 503
    assert response.headers["Retry-After"]


def test_rest_gets_a_problem_document(forge_browser, database_down):
    response = forge_browser.get("/rest/projects", status="*")
    assert response.status_int == 503
    assert response.content_type == "application/problem+json"
    assert response.json["status"] == 503 and response.json["title"]
    assert response.headers["Retry-After"]


def test_no_traceback_logged_for_an_unreachable_database(forge_browser, database_down,
                                                         caplog):
    forge_browser.get("/", status=503)
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
    assert any("database unavailable" in r.getMessage() for r in caplog.records)


# -- /@@health ----------------------------------------------------------------------

def test_health_ok(forge_browser, fresh_health):
    response = forge_browser.get("/@@health")
    report = response.json
    assert report["status"] == OK
    assert set(report["parts"]) == {"database", "broker", "search", "worker"}
    assert all(part["status"] == OK for part in report["parts"].values())
    assert response.headers["Cache-Control"] == "no-store"


def test_health_says_503_when_the_database_is_down(forge_browser, fresh_health,
                                                   database_down):
    response = forge_browser.get("/@@health", status=503)
    assert response.json["status"] == DOWN
    assert response.json["parts"]["database"] == {
        "status": DOWN, "error": "ServerSelectionTimeoutError",
        "ms": response.json["parts"]["database"]["ms"]}
    assert "refused" not in response.text and "27018" not in response.text  # no details


def test_health_html_for_browsers(forge_browser, fresh_health):
    response = forge_browser.get("/@@health", headers={"Accept": "text/html"})
    assert response.content_type == "text/html"
    assert "database" in response.text and "Health: ok" in response.text


def test_health_probes_are_cached(registry, database_down):
    now = [1000.0]
    probes = HealthProbes(registry, clock=lambda: now[0])
    database_down.up()
    assert probes.report()["status"] == OK
    database_down.fail_with(ServerSelectionTimeoutError("gone"))
    now[0] += CACHE_SECONDS / 2
    assert probes.report()["status"] == OK          # the cached answer
    now[0] += CACHE_SECONDS
    assert probes.report()["status"] == DOWN        # probed again


def test_broker_down_is_degraded_not_down(registry, monkeypatch):
    # a port nothing listens on: refused at once
    monkeypatch.setitem(registry.settings, "forge.bus.url",
                        "amqp://guest:secret-password@127.0.0.1:9//")
    report = HealthProbes(registry).report()
    assert report["parts"]["broker"]["status"] == DOWN
    assert report["status"] == DEGRADED
    assert "secret-password" not in json.dumps(report)


def test_worker_lag_from_the_oldest_unsent_event(registry, fresh_health):
    import time
    collection(OutboxEvent).insert_one({
        "_id": "e1", "seq": 1, "topic": "t", "message": {}, "sent": False,
        "created": time.time() - 2 * LAG_DEGRADED_SECONDS})
    report = HealthProbes(registry).report()
    worker = report["parts"]["worker"]
    assert worker["status"] == DEGRADED and worker["unsent_events"] == 1
    assert worker["oldest_unsent_seconds"] >= 2 * LAG_DEGRADED_SECONDS - 1
    assert report["status"] == DEGRADED


def test_overall_status():
    assert overall({"database": {"status": OK}, "broker": {"status": OK}}) == OK
    assert overall({"database": {"status": OK}, "broker": {"status": DOWN}}) == DEGRADED
    assert overall({"database": {"status": DOWN}, "broker": {"status": OK}}) == DOWN


# -- events waiting in the reactors' queues (RabbitMQ) -----------------------------

ON_AMQP = {"database": {"status": OK}, "broker": {"status": OK, "kind": "amqp"}}


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


@pytest.fixture
def queues(monkeypatch):
    """The reactors' queue depths the broker would answer: reactor -> depths."""
    depths = {}
    monkeypatch.setattr("forge.bus.dead_letters.queue_depths", lambda registry: depths)
    return depths


def test_waiting_events_and_dead_letters_are_counted(registry, queues):
    from forge.bus.processed import add_stats
    queues.update({"forge.activity": {"ready": 3, "retrying": 1, "dead": 2},
                   "forge.search": {"ready": 0, "retrying": 0, "dead": 0}})
    add_stats("forge.activity", {"processed": 1})       # handled one just now
    worker = HealthProbes(registry).worker(ON_AMQP)
    assert worker["queued_events"] == 4 and worker["dead_letters"] == 2
    assert worker["status"] == OK and worker["stalled_seconds"] < LAG_DEGRADED_SECONDS


def test_a_reactor_whose_events_wait_unhandled_is_stalled(registry, queues):
    """Its workers stopped (or never ran): the events wait, nothing is handled."""
    clock = Clock(1_000_000.0)
    probes = HealthProbes(registry, wall_clock=clock)
    queues["forge.notify"] = {"ready": 5, "retrying": 0, "dead": 0}
    first = probes.worker(ON_AMQP)
    assert first["status"] == OK and first["stalled_seconds"] == 0
    clock.now += LAG_DEGRADED_SECONDS + 5
    later = probes.worker(ON_AMQP)
    assert later["status"] == DEGRADED
    assert later["stalled_seconds"] == LAG_DEGRADED_SECONDS + 5
    queues["forge.notify"] = {"ready": 0, "retrying": 0, "dead": 0}      # drained
    assert probes.worker(ON_AMQP)["status"] == OK


def test_queues_are_not_asked_without_a_broker_of_their_own(registry, queues):
    queues["forge.activity"] = {"ready": 5, "retrying": 0, "dead": 0}
    worker = HealthProbes(registry).worker({"database": {"status": OK},
                                            "broker": {"status": OK, "kind": "in process"}})
    assert "queued_events" not in worker


def test_search_names_its_node_and_storage(registry):
    search = HealthProbes(registry).search({})
    assert search["status"] == OK and search["node"] == "shared"
    assert search["storage"] in ("disk", "memory") and search["documents"] >= 0


def test_queues_that_cannot_be_read_leave_the_outbox_numbers(registry, monkeypatch):
    def refused(registry):
        raise ConnectionRefusedError("amqp://guest:secret@host")
    monkeypatch.setattr("forge.bus.dead_letters.queue_depths", refused)
    worker = HealthProbes(registry).worker(ON_AMQP)
    assert worker["status"] == OK and worker["queues_error"] == "ConnectionRefusedError"
    assert "unsent_events" in worker and "secret" not in json.dumps(worker)


class FailingProbeClients:
    """pymongo clients of the probe that cannot reach the server in time."""

    def __init__(self):
        self.made, self.closed = 0, 0

    def __call__(self, uri, **options):
        self.made += 1
        return self

    @property
    def admin(self):
        return self

    def command(self, name):
        raise ServerSelectionTimeoutError("no server within the probe's timeout")

    def close(self):
        self.closed += 1


@pytest.mark.parametrize("pages_reach_it, status", [(True, OK), (False, DOWN)])
def test_a_slow_probe_asks_the_pages_client(monkeypatch, pages_reach_it, status):
    """On a busy machine the probe's fresh client can miss its timeout while the
    pages are served (seen in CI right after a database restart): the pages' own
    client then decides; the probe's client is made anew next time."""
    import pymongo

    from forge import health

    class Registry:
        settings = {"ming.main.uri": "mongodb://127.0.0.1:1/forge"}
    clients = FailingProbeClients()
    monkeypatch.setattr(pymongo, "MongoClient", clients)
    monkeypatch.setattr(health, "pages_reach_database", lambda: pages_reach_it)
    probes = HealthProbes(Registry())
    assert probes._probe_all()["parts"]["database"]["status"] == status
    assert clients.closed == 1
