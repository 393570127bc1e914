"""Database commands counted per process for the bus benchmark (bench/bus.py).

``CommandCounter.install()`` registers a pymongo ``CommandListener`` that
counts the commands this process sends, by thread kind (``relay`` for the
relay thread, ``other`` for the rest) and command name.  It must be installed
before the first client is made: Ming connects lazily, at the first query
after the app is built.
"""
import collections
import json
import os
import threading
import time


class CommandCounter:
    def __init__(self):
        self.counts = collections.Counter()
        self.lock = threading.Lock()

    @classmethod
    def install(cls):
        from pymongo import monitoring

        counter = cls()

        class Listener(monitoring.CommandListener):
            def started(self, event):
                kind = "relay" if threading.current_thread().name == "forge-bus-relay" else "other"
                with counter.lock:
                    counter.counts[(kind, event.command_name)] += 1

            def succeeded(self, event):
                pass

            def failed(self, event):
                pass
        monitoring.register(Listener())
        return counter

    def snapshot(self):
        with self.lock:
            return dict(self.counts)

    def write_every(self, path, seconds):
        """Keep ``path`` holding the counts as JSON (the bench reads the worker's)."""
        def loop():
            last = None
            while True:
                now = sorted(("%s %s" % key, n) for key, n in self.snapshot().items())
                if now != last:
                    with open(path + ".tmp", "w") as f:
                        json.dump(dict(now), f)
                    os.replace(path + ".tmp", path)
                    last = now
                time.sleep(seconds)
        threading.Thread(target=loop, daemon=True, name="bench-command-counts").start()


def difference(after, before):
    return {key: n - before.get(key, 0) for key, n in after.items() if n - before.get(key, 0)}


def per_event(counts, events):
    """``3.02 (insert 1.00, find 0.01, ...)``: commands per event, by name."""
    total = sum(counts.values())
    names = sorted(counts.items(), key=lambda item: -item[1])
    return "%.2f (%s)" % (total / events, ", ".join(
        "%s %.2f" % (name, n / events) for name, n in names) or "none")
