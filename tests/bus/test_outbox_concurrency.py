"""Over the wire (nx-27017): units of work saving at once from two threads
keep each project's stream of events (``@@events``: the outbox in ``seq``
order, held back by the horizon) strictly increasing and complete, each unit's
events consecutive; the reactors' counters go in one ``bulk_write``.

Ming's in-memory ``mim://`` is not thread safe (and its ``bulk_write`` stops
after the first write), so this module runs the forge on the embedded
wire-protocol server, started for it in a temporary directory, as
``tests/tools/tracker/test_tickets_concurrency.py`` does.
"""
import threading

import pytest

from forge.model import OutboxEvent, session
from forge.model.session import collection
from forge.testing import embedded_database, forge_test_settings
from forge.views.events import Horizon

from .test_outbox_numbers import Ping, save_emitting, top_seq


@pytest.fixture(scope="module")
def wire_url(tmp_path_factory):
    with embedded_database(tmp_path_factory.mktemp("outbox-db")) as url:
        yield url


@pytest.fixture
def forge_settings(wire_url):
    return forge_test_settings(**{"ming.main.uri": wire_url,
                                  "ming.main.database": "outbox_concurrency",
                                  "forge.bus.relay": "off"})


def read_stream(project_id, last, horizon):
    """What one poll of ``@@events`` delivers (``forge.views.events.stream``)."""
    records = list(collection(OutboxEvent).find(
        {"project_id": project_id, "seq": {"$gt": last}}).sort("seq", 1).limit(100))
    ready = horizon.up_to(last, records[-1]["seq"]) if records else last
    return [r for r in records if r["seq"] <= ready]


def test_concurrent_units_keep_each_stream_increasing_without_loss(
        registry, make_user, make_project):
    ada = make_user("ada")
    projects = [make_project("one", ada), make_project("two", ada)]
    start = top_seq()
    units, per_unit = 15, 3
    emitted = {p._id: [] for p in projects}
    errors = []
    done = threading.Event()

    def saver(project):
        try:
            node = type(project).query.get(_id=project._id)    # this thread's session
            for _ in range(units):
                emitted[project._id].append([e.id for e in save_emitting(registry, node, per_unit)])
        except Exception as error:          # reported below, not lost in a thread
            errors.append(error)
        finally:
            session.close()

    seen = {p._id: [] for p in projects}

    def listener():
        horizons = {p._id: Horizon(gap_seconds=60) for p in projects}   # never skips here
        last = dict.fromkeys(seen, start)
        while True:
            finished = done.is_set()
            for project_id in seen:
                for record in read_stream(project_id, last[project_id], horizons[project_id]):
                    seen[project_id].append((record["seq"], record["_id"]))
                    last[project_id] = record["seq"]
            session.close()
            if finished:
                return

    threads = [threading.Thread(target=saver, args=(p,)) for p in projects]
    reader = threading.Thread(target=listener)
    reader.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    done.set()
    reader.join(120)
    assert not errors

    for project_id, unit_ids in emitted.items():
        stream = seen[project_id]
        seqs = [seq for seq, _ in stream]
        assert seqs == sorted(set(seqs))                                  # strictly increasing
        assert [event_id for _, event_id in stream] == [i for ids in unit_ids for i in ids]
        by_id = dict((event_id, seq) for seq, event_id in stream)
        for ids in unit_ids:                                              # each unit's consecutive
            assert [by_id[i] for i in ids] == list(range(by_id[ids[0]], by_id[ids[0]] + per_unit))
    assert top_seq() == start + 2 * units * per_unit


def test_two_processes_numbering_at_once_leave_no_gap_and_no_double(registry, make_user):
    """Each thread numbers with a ``SequenceHint`` of its own, as two
    processes do: the unique index on ``seq`` settles who wrote a number."""
    from forge.model.outbox import SequenceHint, write_records
    node = make_user("ada")
    start = top_seq()
    units, per_unit = 20, 3
    written, errors = {0: [], 1: []}, []

    def process(index):
        hint = SequenceHint()
        try:
            for n in range(units):
                events = [Ping(node, source="test", n=i) for i in range(per_unit)]
                written[index].append([r["seq"] for r in write_records(events, hint)])
        except Exception as error:          # reported below, not lost in a thread
            errors.append(error)
        finally:
            session.close()
    threads = [threading.Thread(target=process, args=(i,)) for i in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors
    seqs = [row["seq"] for row in collection(OutboxEvent).find({"seq": {"$gt": start}})]
    assert sorted(seqs) == list(range(start + 1, start + 1 + 2 * units * per_unit))
    for units_seqs in written.values():
        flat = [seq for unit in units_seqs for seq in unit]
        assert flat == sorted(set(flat))       # a process's events keep their order


def test_the_process_stats_of_several_reactors_in_one_bulk_write_over_the_wire(registry):
    from forge.bus.processed import read_stats
    from forge.bus.worker import StatsBook
    book = StatsBook()
    for _ in range(2):
        book.count("mailer", "processed", lag=0.5)
        book.count("indexer", "failed")
        book.flush(force=True)
    stats = read_stats()
    assert stats["mailer"]["processed"] == 2 and stats["mailer"]["lag_seconds"] == 0.5
    assert stats["indexer"]["failed"] == 2
