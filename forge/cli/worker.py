"""``forge worker``: run the registered reactors' consumers in this process.

One thread per reactor (each with its own queue and connection); the process's
relay also publishes the outbox, so events saved by CLI commands or other
processes go out even when no web process runs.  SIGTERM or SIGINT stops the
consumers: each finishes the message in hand, unacked messages go back to
their queues, and the command exits 0.

``--reactors`` (or ``forge.worker.reactors``, env ``FORGE_WORKER_REACTORS``)
makes a dedicated worker: it consumes only the chosen reactors' queues
(``forge.bus.worker_pool.select_reactors``), so a site can give a group of
reactors machines of their own (a search node's index, mail, webhooks).  The
other reactors' queues keep their events for the workers that run them: every
relay declares every reactor's queue before it publishes, so nothing is lost
while no worker consumes one.
"""
import signal
import threading

import click

from .runtime import handles_user_errors, running_forge, runtime_options, setup_logging

REACTORS_SETTING = "forge.worker.reactors"


@click.command()
@runtime_options
@click.option("--reactors", "selection", default=None, metavar="PATTERNS",
              help="Run only these reactors: patterns on their names, separated by "
                   "commas ('forge.search.*', 'forge.activity,discussion.*'); a pattern "
                   "starting with ! leaves reactors out ('!forge.search.*') "
                   "[default: forge.worker.reactors, else every reactor].")
@handles_user_errors
def worker(data_dir, config_file, db_port, selection):
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
        reactors = chosen_reactors(forge.registry, selection)
        if is_memory(settings):
            click.echo("forge.bus.url is memory://: this worker only sees events saved "
                       "in its own process (use RabbitMQ, or forge serve).", err=True)
        if settings["forge.bus.relay"] != "off":     # publish the outbox from here too
            start_thread(forge.registry)
        pool = WorkerPool(forge.registry, reactors).start()
        # periodic tasks parts of the forge register (the notifications' digests)
        tasks = [start(forge.registry) for start in
                 getattr(forge.registry, "forge_worker_tasks", ())]
        names = ", ".join(w.reactor.name for w in pool.workers) or "none"
        registered = len(getattr(forge.registry, "forge_reactors", {}))
        click.echo("Worker running %d%s reactors (%s) on %s" % (
            len(pool.workers), "" if len(pool.workers) == registered else " of %d" % registered,
            names, _sanitized(settings["forge.bus.url"])))
        while not stop.wait(0.5):
            if pool.workers and not pool.alive:
                raise click.ClickException("the worker threads stopped")
        click.echo("Stopping: finishing the messages in hand...")
        pool.stop()
        for task in tasks:
            task.stop()
        forge.registry.forge_relay.stop()
    click.echo("Worker stopped.")


def chosen_reactors(registry, selection):
    """The reactors this worker runs: ``--reactors`` if given, else the
    setting; a selection that chooses none is an error on the command line
    (exit code 2) or in the settings (exit code 1)."""
    from ..bus.worker_pool import NoReactorSelected, select_reactors
    reactors = getattr(registry, "forge_reactors", {}).values()
    configured = registry.settings.get(REACTORS_SETTING) or ""
    try:
        return select_reactors(reactors, selection if selection is not None else configured)
    except NoReactorSelected as error:
        if selection is not None:
            raise click.BadParameter(str(error), param_hint="'--reactors'")
        raise click.ClickException("%s (FORGE_WORKER_REACTORS): %s" % (REACTORS_SETTING, error))


def _sanitized(url):
    from kombu.utils.url import maybe_sanitize_url
    return maybe_sanitize_url(url)
