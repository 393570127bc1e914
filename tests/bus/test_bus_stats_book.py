"""The reactors of one process add their counters to ``bus_stats`` together:
one write about once a second, not one per reactor."""
from forge.bus import stats_book as stats_book_module
from forge.bus.processed import read_stats
from forge.bus.registry import Reactor
from forge.bus.worker import ReactorWorker, StatsBook


def counting_writes(monkeypatch):
    writes = []
    real = stats_book_module.add_all_stats

    def add_all_stats(by_reactor):
        writes.append(sorted(by_reactor))
        return real(by_reactor)
    monkeypatch.setattr(stats_book_module, "add_all_stats", add_all_stats)
    return writes


def test_every_reactor_of_the_process_in_one_write_a_second(registry, monkeypatch):
    writes = counting_writes(monkeypatch)
    book = StatsBook()
    book.count("mailer", "processed", lag=0.5)
    book.count("mailer", "processed")
    book.count("indexer", "failed")
    book.flush()                              # within the second: nothing written
    assert writes == [] and "mailer" not in read_stats()
    book.flush(force=True)
    assert writes == [["indexer", "mailer"]]
    stats = read_stats()
    assert stats["mailer"]["processed"] == 2 and stats["mailer"]["lag_seconds"] == 0.5
    assert stats["indexer"]["failed"] == 1 and stats["indexer"]["processed"] == 0
    book.flush(force=True)                    # nothing new: no write
    assert len(writes) == 1


def test_counters_not_written_are_kept_for_the_next_write(registry, monkeypatch):
    real = stats_book_module.add_all_stats
    failures = [RuntimeError("the database went away")]

    def add_all_stats(by_reactor):
        if failures:
            raise failures.pop()
        return real(by_reactor)
    monkeypatch.setattr(stats_book_module, "add_all_stats", add_all_stats)
    book = StatsBook()
    book.count("mailer", "processed")
    book.flush(force=True)                    # fails: logged, kept
    book.count("mailer", "processed", lag=0.25)
    book.flush(force=True)
    assert read_stats()["mailer"]["processed"] == 2
    assert read_stats()["mailer"]["lag_seconds"] == 0.25


def test_the_workers_of_one_registry_share_the_book(registry):
    workers = [ReactorWorker(registry, Reactor(name=name, topic="#", fn=lambda e, c: None))
               for name in ("first", "second")]
    assert workers[0].stats.book is workers[1].stats.book
    workers[0].stats.count("processed")
    workers[1].stats.count("retried")
    workers[1].stats.flush(force=True)
    stats = read_stats()
    assert stats["first"]["processed"] == 1 and stats["second"]["retried"] == 1
