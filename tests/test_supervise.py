"""The supervisor of the embedded database server (``forge.supervise``), on a
stand-in server whose deaths and failed starts the test decides."""
import logging
import threading
import time

from forge.embedded import EmbeddedMongoError
from forge.supervise import DatabaseSupervisor


class Process:
    def __init__(self):
        self.returncode = None

    def poll(self):
        return self.returncode


class StandInDatabase:
    url = "mongodb://127.0.0.1:1/"

    def __init__(self, failing_starts=0):
        self.process = Process()
        self.failing_starts = failing_starts
        self.starts = []
        self.restarted = threading.Event()

    def die(self):
        self.process.returncode = -9

    def restart(self):
        self.starts.append(time.monotonic())
        self.process = None
        if len(self.starts) <= self.failing_starts:
            raise EmbeddedMongoError("port in use")
        self.process = Process()
        self.restarted.set()
        return self


def wait_for(condition, seconds=5):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_a_dead_server_is_started_again_and_the_log_says_so(caplog):
    caplog.set_level(logging.WARNING, "forge.supervise")
    database = StandInDatabase()
    supervisor = DatabaseSupervisor(database, backoff_start=0.05).start()
    try:
        time.sleep(0.3)
        assert database.starts == []            # alive: left alone
        died = time.monotonic()
        database.die()
        assert database.restarted.wait(5)
        assert database.starts[0] - died >= 0.05  # after the back-off
        assert supervisor.restarts == 1
    finally:
        supervisor.stop()
    messages = [r.getMessage() for r in caplog.records]
    assert any("exited (code -9)" in m for m in messages)
    assert any("running again" in m for m in messages)


def test_failed_starts_back_off_twice_as_long_each_time(caplog):
    database = StandInDatabase(failing_starts=3)
    supervisor = DatabaseSupervisor(database, backoff_start=0.05, backoff_max=0.15).start()
    try:
        database.die()
        assert database.restarted.wait(5)
    finally:
        supervisor.stop()
    gaps = [b - a for a, b in zip(database.starts, database.starts[1:])]
    assert len(database.starts) == 4
    assert gaps[0] >= 0.1 and gaps[1] >= 0.15 and gaps[2] >= 0.15   # 0.1, then capped
    assert any("did not start again" in r.getMessage() for r in caplog.records)


def test_stop_is_prompt_even_in_a_long_back_off():
    database = StandInDatabase()
    supervisor = DatabaseSupervisor(database, backoff_start=60).start()
    database.die()
    time.sleep(0.3)
    started = time.monotonic()
    supervisor.stop()
    assert time.monotonic() - started < 1
    assert database.starts == []                # stopping means no restart
