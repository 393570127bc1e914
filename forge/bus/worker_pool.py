"""Every reactor's worker in a thread of its own: ``WorkerPool`` (``forge
worker``), and ``forge serve``'s reactors on ``memory://``
(``start_embedded_workers``); ``select_reactors``, the reactors a dedicated
worker runs (``forge worker --reactors``, ``forge.worker.reactors``)."""
import atexit
import fnmatch
import re
import threading
import time


class NoReactorSelected(ValueError):
    """A reactor selection that chooses no reactor, or names one that is not there."""


def select_reactors(reactors, selection):
    """The reactors ``selection`` chooses, in name order.

    ``selection`` is a list of shell-style patterns on reactor names,
    separated by commas or spaces (``*`` matches any characters, dots too);
    a pattern starting with ``!`` leaves out what it matches.  A reactor is
    chosen when it matches a pattern and no ``!`` pattern, or, when there are
    only ``!`` patterns, when it matches none of them.  Empty (or None):
    every reactor.  Examples::

        forge.search.*                        a search node's worker
        !forge.search.*                       every reactor but the search nodes'
        forge.activity, discussion.*          two groups

    Raises ``NoReactorSelected`` when nothing is chosen, or when a pattern
    matches no reactor at all (a typo would otherwise leave a queue that no
    worker consumes, or one consumed where it should not be)."""
    reactors = sorted(reactors, key=lambda r: r.name)
    patterns = [p for p in re.split(r"[\s,]+", selection or "") if p]
    if not patterns:
        return reactors
    names = [r.name for r in reactors]
    wanted = [p for p in patterns if not p.startswith("!")]
    unwanted = [p[1:] for p in patterns if p.startswith("!")]
    unmatched = [p for p in wanted + unwanted if not any(fnmatch.fnmatchcase(n, p) for n in names)]
    if unmatched:
        raise NoReactorSelected("%s match%s no reactor; the reactors are: %s" % (
            ", ".join(repr(p) for p in unmatched), "" if len(unmatched) > 1 else "es",
            ", ".join(names) or "none"))

    def chosen(name):
        return ((not wanted or any(fnmatch.fnmatchcase(name, p) for p in wanted))
                and not any(fnmatch.fnmatchcase(name, p) for p in unwanted))
    selected = [r for r in reactors if chosen(r.name)]
    if not selected:
        raise NoReactorSelected("%r leaves no reactor to run; the reactors are: %s"
                                % (selection, ", ".join(names)))
    return selected


class WorkerPool:
    """All registered reactors' workers, one thread each."""

    def __init__(self, registry, reactors=None):
        reactors = reactors if reactors is not None else getattr(
            registry, "forge_reactors", {}).values()
        from .worker import ReactorWorker      # (forge.bus.worker imports this module)
        self.workers = [ReactorWorker(registry, r) for r in sorted(reactors, key=lambda r: r.name)]
        self.threads = []

    def start(self):
        for worker in self.workers:
            thread = threading.Thread(target=worker.run, daemon=True,
                                      name="forge-reactor-%s" % worker.reactor.name)
            thread.start()
            self.threads.append(thread)
        return self

    def stop(self, timeout=30):
        """Let each worker finish the message in hand, then return."""
        for worker in self.workers:
            worker.stop()
        deadline = time.monotonic() + timeout
        for thread in self.threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    @property
    def alive(self):
        return any(thread.is_alive() for thread in self.threads)


def start_embedded_workers(registry):
    """``forge serve`` on ``memory://``: run the reactors in this process's
    threads, and the relay too (nobody else can publish to an in-process bus).
    On ``amqp://`` the workers are ``forge worker`` processes: nothing to do."""
    from .relay import relay_mode, start_thread
    from .worker import is_memory
    settings = registry.settings
    if not is_memory(settings):
        return None
    pool = WorkerPool(registry).start()
    if relay_mode(settings) in ("off", "thread") and settings["forge.bus.relay"] != "off":
        start_thread(registry)
    registry.forge_workers = pool
    atexit.register(pool.stop, 5)      # finish the messages in hand on the way out
    return pool


def stop_embedded_workers(registry, timeout=5):
    """Stop what ``start_embedded_workers`` started (the messages in hand are
    finished, counters written) while the database is still there: the
    ``forge serve`` shutdown calls this before it stops the embedded server."""
    pool = getattr(registry, "forge_workers", None)
    if pool is not None:
        pool.stop(timeout)
    relay = getattr(registry, "forge_relay", None)
    if relay is not None:
        relay.stop(timeout)
