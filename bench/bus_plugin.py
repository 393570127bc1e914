"""The bus benchmark's forge plugin (``forge.tools = bus_plugin``): a no-op
reactor on ``bench.#`` that writes each event's save-to-reactor latency (now -
the event's timestamp, taken before the flush) to ``FORGE_BENCH_LATENCY_FILE``.

``run_worker()`` is ``forge worker ARGS`` with the database commands counted
(into ``FORGE_BENCH_COMMANDS_FILE``): the listener must be registered before
the forge makes its client, which ``forge worker`` does before it loads this
plugin.  Only forge APIs that every measured tree has are used here
(``bench/bus_trees.py`` runs it against older trees).
"""
import os
import sys
import threading
import time

from bus_commands import CommandCounter


def run_worker():
    from forge.cli import main as forge_command
    CommandCounter.install().write_every(os.environ["FORGE_BENCH_COMMANDS_FILE"], 0.1)
    forge_command(args=["worker"] + sys.argv[1:], prog_name="forge")


def includeme(config):
    path = os.environ["FORGE_BENCH_LATENCY_FILE"]
    out = open(path, "a", buffering=1)
    lock = threading.Lock()
    name = os.environ["FORGE_BENCH_REACTOR"]

    def noop(event, context):
        with lock:
            out.write("%.6f\n" % (time.time() - event["timestamp"]))
    config.add_reactor("bench.#", noop, name=name)
    if os.environ.get("FORGE_BENCH_ONLY_REACTOR"):
        from pyramid.events import ApplicationCreated

        def only_ours(event):
            reactors = event.app.registry.forge_reactors
            for other in [n for n in reactors if n != name]:
                del reactors[other]
        config.add_subscriber(only_ours, ApplicationCreated)
