"""``forge worker``: run every registered reactor's consumer in this process.

One thread per reactor (each with its own queue and connection); the process's
relay also publishes the outbox, so events saved by CLI commands or other
processes go out even when no web process runs.  SIGTERM or SIGINT stops the
consumers: each finishes the message in hand, unacked messages go back to
their queues, and the command exits 0.
"""
import signal
import threading

import click

from .runtime import handles_user_errors, running_forge, runtime_options, setup_logging


@click.command()
@runtime_options
@handles_user_errors
def worker(data_dir, config_file, db_port):
    """Run the reactors: consume their queues until SIGTERM or Ctrl-C."""
    from ..bus.relay import start_thread
    from ..bus.worker import WorkerPool, is_memory
    setup_logging(config_file)
    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    with running_forge(data_dir, config_file, db_port) as forge:
        settings = forge.settings
        if is_memory(settings):
            click.echo("forge.bus.url is memory://: this worker only sees events saved "
                       "in its own process (use RabbitMQ, or forge serve).", err=True)
        if settings["forge.bus.relay"] != "off":     # publish the outbox from here too
            start_thread(forge.registry)
        pool = WorkerPool(forge.registry).start()
        # periodic tasks parts of the forge register (the notifications' digests)
        tasks = [start(forge.registry) for start in
                 getattr(forge.registry, "forge_worker_tasks", ())]
        names = ", ".join(w.reactor.name for w in pool.workers) or "none"
        click.echo("Worker running %d reactors (%s) on %s" % (
            len(pool.workers), names, _sanitized(settings["forge.bus.url"])))
        while not stop.wait(0.5):
            if pool.workers and not pool.alive:
                raise click.ClickException("the worker threads stopped")
        click.echo("Stopping: finishing the messages in hand...")
        pool.stop()
        for task in tasks:
            task.stop()
        forge.registry.forge_relay.stop()
    click.echo("Worker stopped.")


def _sanitized(url):
    from kombu.utils.url import maybe_sanitize_url
    return maybe_sanitize_url(url)
