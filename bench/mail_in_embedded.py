"""bench/mail_in.py's embedded layout (the default): the forge's SMTP server
and, once started, the reactors and the relay in threads of the bench's own
process, as ``forge serve`` runs them on ``memory://``."""
import time

from mail_in_meters import CpuMeter, thread_cpu, wait_until_quiet


class Embedded:
    """The embedded layout: the SMTP server, and the reactors once started, in
    threads of this process (``forge serve`` on ``memory://``)."""

    def __init__(self, registry, db_pid):
        from forge.mail_in.server import MailInServer
        self.registry, self.db_pid = registry, db_pid
        self.server = MailInServer(registry).start()
        self.address = self.server.address

    def meter(self, peer_pid):
        return CpuMeter(self.server, self.db_pid, peer_pid)

    def idle(self):
        return reactors_idle()

    def start_workers(self):
        from forge.bus.worker import start_embedded_workers
        start_embedded_workers(self.registry)

    def stop_workers(self):
        pass

    def stop(self):
        from forge.bus.worker import stop_embedded_workers
        self.server.stop()
        stop_embedded_workers(self.registry)


def reactors_idle(quiet_seconds=1.0, max_seconds=300.0):
    """Wait until every event so far is handled: nothing unsent in the
    outbox, every reactor's queue of the in-process bus empty, and the reactor threads
    then (almost) idle for ``quiet_seconds`` (the messages in hand done; an
    idle worker polls for about 0.05 CPU s/s).  Returns the seconds waited."""
    from kombu.transport.memory import Channel
    from forge.model import session
    from forge.model.outbox import OutboxEvent
    started = time.perf_counter()

    def backlog():
        try:
            # the queues first: the outbox query costs the database (measured) CPU
            return any(queue.qsize() for name, queue in list(Channel.queues.items())
                       if ".reactor." in name) or \
                session.db[OutboxEvent.__mongometa__.name].find_one({"sent": False}) is not None
        finally:
            session.close()

    def reactor_cpu():
        return sum(s for (name, _t), s in thread_cpu().items()
                   if name.startswith(("forge-reactor-", "forge-bus-relay")))
    return wait_until_quiet(started, backlog, reactor_cpu, quiet_seconds, max_seconds)
