"""Every reactor's worker in a thread of its own: ``WorkerPool`` (``forge
worker``), and ``forge serve``'s reactors on ``memory://``
(``start_embedded_workers``)."""
import atexit
import threading
import time


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
