"""Pruning the bus's records: sent outbox records and processed markers older
than the retention go; unsent records stay whatever their age; the CLI
does it on demand."""
import time

from click.testing import CliRunner

from forge.bus.processed import ProcessedEvent, mark_processed
from forge.bus.retention import PeriodicPrune, prune_bus
from forge.model import OutboxEvent
from forge.model.session import collection

DAY = 86400.0


def outbox_records(ages_and_sent):
    """Insert records with ``seq`` 1..n, created ``age`` days ago, sent or not."""
    now = time.time()
    collection(OutboxEvent).insert_many([
        {"_id": "e%d" % seq, "seq": seq, "topic": "t", "message": {}, "ordering_key": "k",
         "project_id": None, "created": now - age * DAY, "sent": sent,
         "sent_at": now if sent else None, "claimed_until": 0.0, "claimed_by": None}
        for seq, (age, sent) in enumerate(ages_and_sent, start=1)])


def remaining():
    return [(d["seq"], d["sent"]) for d in collection(OutboxEvent).find().sort("seq", 1)]


def test_old_sent_records_go_unsent_and_young_ones_stay(forge_app):
    collection(OutboxEvent).delete_many({})
    outbox_records([(30, True), (20, False), (10, True), (8, True), (2, True), (1, False)])
    removed, _markers = prune_bus(7 * DAY, batch=2)
    assert removed == 3
    assert remaining() == [(2, False), (5, True), (6, False)]
    # nothing more to do
    assert prune_bus(7 * DAY)[0] == 0


def test_the_newest_record_stays_whatever_its_age(forge_app):
    # the outbox numbers its next record after the newest one kept
    collection(OutboxEvent).delete_many({})
    outbox_records([(30, True), (20, True), (10, True)])
    assert prune_bus(7 * DAY)[0] == 2
    assert remaining() == [(3, True)]


def test_processed_markers_older_than_the_retention_go(forge_app):
    collection(ProcessedEvent).delete_many({})
    mark_processed("r", "young")
    collection(ProcessedEvent).insert_one({"_id": "r old", "reactor": "r", "event_id": "old",
                                           "at": time.time() - 9 * DAY})
    assert prune_bus(7 * DAY)[1] == 1
    assert [d["event_id"] for d in collection(ProcessedEvent).find()] == ["young"]


def test_the_periodic_prune_waits_and_zero_days_means_never(forge_app):
    never = PeriodicPrune(0)
    never._next = 0
    assert never.maybe_prune() is None
    hourly = PeriodicPrune(7)
    assert hourly.maybe_prune() is None          # not right at start-up
    hourly._next = 0
    assert isinstance(hourly.maybe_prune(), tuple)
    assert hourly.maybe_prune() is None          # once per period


def test_the_cli_prunes_and_says_how_much(forge_app, monkeypatch):
    from forge.cli import bus_admin

    class Running:
        settings = {"forge.bus.keep_days": 7.0}

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(bus_admin, "running_forge", lambda *a: Running())
    collection(OutboxEvent).delete_many({})
    outbox_records([(30, True), (1, True)])
    result = CliRunner().invoke(bus_admin.prune_bus, ["--keep-days", "3"])
    assert result.exit_code == 0, result.output
    assert "Removed 1 sent outbox records" in result.output
    result = CliRunner().invoke(bus_admin.prune_bus, ["--keep-days", "-1"])
    assert result.exit_code != 0 and "0 or more" in result.output
