"""bench/mail_in.py with ``--profile`` also covering the batch reactors
(``forge.notify``, ``forge.activity``, ...): ``mail_in_meters.Profiles``
wraps ``ReactorWorker.handle``, which a batch reactor's run does not go
through (``handle_batch`` calls the reactor once for the run).

    .venv/bin/python bench/mail_in_worker_profile.py --messages 100 --no-baseline --profile FILE

Each place's statistics are also dumped to ``FILE.{place}.pstats``.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import mail_in_meters  # noqa: E402

_init = mail_in_meters.Profiles.__init__


def _init_with_batches(self):
    """``Profiles`` whose wrapper is also put around ``handle_batch`` (a failed
    batch runs its events again through ``handle``: counted twice then)."""
    from forge.bus import worker
    plain_handle = worker.ReactorWorker.handle
    _init(self)
    wrapped_handle = worker.ReactorWorker.handle
    worker.ReactorWorker.handle = plain_handle
    worker.ReactorWorker.handle_batch = _init_wrapper(self, worker.ReactorWorker.handle_batch)
    worker.ReactorWorker.handle = wrapped_handle


def _init_wrapper(profiles, fn):
    import cProfile
    import threading
    import time

    def wrapper(*args, **kw):
        if not profiles.on:
            return fn(*args, **kw)
        place = mail_in_meters.place_of(threading.current_thread().name) + " (batches)"
        with profiles.lock:
            profile = profiles.profiles.get(place)
            if profile is None:
                profile = profiles.profiles[place] = cProfile.Profile(time.thread_time)
        profile.enable()
        try:
            return fn(*args, **kw)
        finally:
            profile.disable()
    return wrapper


_write = mail_in_meters.Profiles.write


def _write_and_dump(self, path, limit=60):
    """The text summaries, and each place's statistics in ``PATH.{place}.pstats``
    (for ``pstats``' callers and callees)."""
    _write(self, path, limit)
    for place, profile in self.profiles.items():
        profile.dump_stats("%s.%s.pstats" % (path, place.replace(" ", "_")))


mail_in_meters.Profiles.__init__ = _init_with_batches
mail_in_meters.Profiles.write = _write_and_dump

if __name__ == "__main__":
    import runpy
    sys.argv[0] = os.path.join(os.path.dirname(os.path.abspath(__file__)), "mail_in.py")
    runpy.run_path(sys.argv[0], run_name="__main__")
