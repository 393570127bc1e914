"""A unit of work's events: n records numbered consecutively after the
highest number written, in one ordered ``insert_many`` right after the
documents' flush (the unique index on ``seq`` settles which process wrote a
number first); a number left unwritten is a gap that streams wait for, then
skip (the horizon)."""
import pytest
from ming.odm import mapper
from pymongo.errors import AutoReconnect

from forge.events import ForgeEvent
from forge.model import OutboxEvent, session
from forge.model import outbox as outbox_module
from forge.model.session import collection
from forge.unit_of_work import change
from forge.views.events import Horizon


class Ping(ForgeEvent):
    topic = "test.ping"


def save_emitting(registry, node, count):
    """One unit of work that changes nothing and emits ``count`` events."""
    events = [Ping(node, source="test", n=i) for i in range(count)]
    with change(registry, None, node=node, actor=None, new={}, source="test",
                auditors=False) as unit:
        for event in events:
            unit.also_emit(event)
    return events


def top_seq():
    newest = collection(OutboxEvent).find_one(sort=[("seq", -1)])
    return newest["seq"] if newest else 0


class CountingCollection:
    """A collection that notes each write it is asked for, then does it."""

    def __init__(self, real, calls):
        self.real, self.calls = real, calls

    def __getattr__(self, name):
        attr = getattr(self.real, name)
        if name.startswith(("insert", "find_one", "update")) and callable(attr):
            def counted(*args, **kwargs):
                self.calls.append((self.real.name, name, args))
                return attr(*args, **kwargs)
            return counted
        return attr


class CountingDatabase:
    def __init__(self, real, calls):
        self.real, self.calls = real, calls

    def __getitem__(self, name):
        return CountingCollection(self.real[name], self.calls)

    def __getattr__(self, name):
        return getattr(self.real, name)


@pytest.fixture
def project(make_user, make_project):
    return make_project("demo", make_user("ada"))


def count_writes(monkeypatch):
    """The writes (and finds) the outbox module asks of the database, noted."""
    calls = []
    real_collection, real_session = outbox_module.collection, outbox_module.session
    monkeypatch.setattr(outbox_module, "collection",
                        lambda cls: CountingCollection(real_collection(cls), calls))

    class CountingSession:
        db = property(lambda self: CountingDatabase(real_session.db, calls))
    monkeypatch.setattr(outbox_module, "session", CountingSession())
    return calls


def test_n_events_of_one_unit_take_consecutive_numbers_in_one_insert(
        registry, project, monkeypatch):
    save_emitting(registry, project, 1)          # the process knows the highest number now
    before = top_seq()
    calls = count_writes(monkeypatch)

    events = save_emitting(registry, project, 4)

    assert [(coll, method) for coll, method, _ in calls] == [("outbox", "insert_many")]
    stored = list(collection(OutboxEvent).find({"seq": {"$gt": before}}).sort("seq", 1))
    assert [r["_id"] for r in stored] == [e.id for e in events]        # emit order
    assert [r["seq"] for r in stored] == list(range(before + 1, before + 5))
    assert [r["message"]["detail"]["n"] for r in stored] == [0, 1, 2, 3]
    assert {r["project_id"] for r in stored} == {str(project._id)}


def test_numbers_another_process_wrote_first_are_skipped_without_a_gap(
        registry, project, monkeypatch):
    save_emitting(registry, project, 1)
    before = top_seq()
    # another process writes the next two numbers (after its own read of the highest)
    other = Ping(project, source="test")
    collection(OutboxEvent).insert_many([
        outbox_module.outbox_record(Ping(project, source="test"), before + 1, 0.0),
        outbox_module.outbox_record(other, before + 2, 0.0)])
    calls = count_writes(monkeypatch)

    events = save_emitting(registry, project, 3)

    assert [method for _coll, method, _ in calls][0] == "insert_many"
    stored = list(collection(OutboxEvent).find({"seq": {"$gt": before}}).sort("seq", 1))
    assert [r["seq"] for r in stored] == list(range(before + 1, before + 6))     # no gap
    assert [r["_id"] for r in stored][2:] == [e.id for e in events]
    save_emitting(registry, project, 1)
    assert top_seq() == before + 6


def test_a_hint_older_than_hint_seconds_is_read_again(registry, project, monkeypatch):
    save_emitting(registry, project, 1)
    hint = outbox_module.sequence_hint(registry)
    monkeypatch.setattr(hint, "known_at", hint.known_at - outbox_module.HINT_SECONDS - 1)
    calls = count_writes(monkeypatch)
    save_emitting(registry, project, 1)
    assert [(coll, method) for coll, method, _ in calls] == [
        ("outbox", "find_one"), ("outbox", "insert_many")]


def test_the_records_are_what_the_relay_and_the_streams_read(registry, project, monkeypatch):
    monkeypatch.setattr(registry, "forge_bus_wake", None, raising=False)   # left unsent
    before = top_seq()
    save_emitting(registry, project, 2)
    session.close()
    raw = collection(OutboxEvent).find_one({"seq": before + 1})
    assert set(raw) == {prop.name for prop in mapper(OutboxEvent).properties}
    records = OutboxEvent.query.find({"seq": {"$gt": before}}).sort("seq", 1).all()
    assert [r.topic for r in records] == ["test.ping", "test.ping"]
    assert [r.ordering_key for r in records] == [str(project._id)] * 2
    assert all(r.claimed_until == 0.0 and r.claimed_by is None and not r.sent for r in records)


def test_a_unit_that_emits_nothing_sends_no_command(registry, project, monkeypatch):
    calls = count_writes(monkeypatch)
    with change(registry, None, node=project, actor=None, new={}, auditors=False):
        pass
    assert calls == []


def test_a_failed_insert_gives_its_numbers_back(registry, project, monkeypatch):
    save_emitting(registry, project, 1)
    before = top_seq()
    real_collection = outbox_module.collection

    class InsertFails:
        def __init__(self, real):
            self.real = real

        def insert_many(self, *args, **kwargs):
            raise AutoReconnect("the database went away")

        def __getattr__(self, name):
            return getattr(self.real, name)
    monkeypatch.setattr(outbox_module, "collection", lambda cls: InsertFails(real_collection(cls)))
    with pytest.raises(AutoReconnect):
        save_emitting(registry, project, 3)
    monkeypatch.setattr(outbox_module, "collection", real_collection)
    assert top_seq() == before

    save_emitting(registry, project, 1)                    # the next unit takes them
    assert top_seq() == before + 1


def test_a_stream_waits_for_a_missing_number_then_skips_it(registry, project):
    save_emitting(registry, project, 1)
    before = top_seq()
    # three numbers taken by a process that died before writing them
    collection(OutboxEvent).insert_one(
        outbox_module.outbox_record(Ping(project, source="test"), before + 4, 0.0))
    now = [100.0]
    horizon = Horizon(gap_seconds=5, clock=lambda: now[0])
    assert horizon.up_to(before, before + 4) == before     # the stream waits for the gap
    now[0] += 4.9
    assert horizon.up_to(before, before + 4) == before
    # then skips the whole gap at once: the clocks of all three missing
    # numbers started when the stream first met the gap, not one after another
    now[0] += 0.2
    assert horizon.up_to(before, before + 4) == before + 4


def test_a_gap_of_many_numbers_holds_a_stream_about_gap_seconds_in_all():
    now = [100.0]
    horizon = Horizon(gap_seconds=5, clock=lambda: now[0])
    written = {1, 2, 13}         # 3..12 taken and never written

    def up_to(last, highest):
        return horizon.reached(last, highest, written)
    assert up_to(0, 13) == 2                  # waits at the first missing number
    now[0] += 4.9
    assert up_to(2, 13) == 2
    now[0] += 0.2
    assert up_to(2, 13) == 13                 # ten numbers skipped after 5 s, not 50 s
    assert horizon.missing_since == {}
