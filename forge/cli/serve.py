"""``forge serve``: the whole forge in one process, no set-up needed.

Creates the data dir, starts the embedded database, creates the demo site on
the first run, starts the inbound mail server when ``forge.mail_in.listen`` is
set (``forge.mail_in``), and serves with waitress until Ctrl-C or SIGTERM, after which
it finishes the requests in progress and stops the database (exit code 0).
"""
import logging
import os
import signal
import sys

import click
import waitress

from ..bus.worker import start_embedded_workers, stop_embedded_workers
from ..demo import ensure_demo_site
from ..request_limits import waitress_body_limit
from ..supervise import DatabaseSupervisor
from .runtime import handles_user_errors, running_forge, runtime_options, setup_logging

THREADS = 4
# waitress reads a connection while its request runs, so a live-event stream sees
# at once that its client has gone (forge.views.events) and gives its slot back
CHANNEL_REQUEST_LOOKAHEAD = 1
# Ctrl-C stops within two seconds: the reactors get this long (and the relay as
# long again) to finish the message in hand.  On memory:// the queues live in
# this process, so what is still queued is lost at exit whatever the wait;
# ``forge admin reindex`` rebuilds the search index from the database
STOP_WORKERS_SECONDS = 0.7


def _stop_on_signals():
    """waitress stops its loop cleanly on KeyboardInterrupt: make SIGTERM one
    too, and SIGINT one even when the parent started us with SIGINT ignored
    (as shells do for background jobs)."""
    def stop(signum, frame):
        raise KeyboardInterrupt()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)


@click.command()
@runtime_options
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0 for every interface).")
@click.option("--port", default=6543, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (0: any free port).")
@click.option("--demo/--no-demo", default=True, show_default=True,
              help="Create the demo site (admin user, demo project) on the first run.")
@handles_user_errors
def serve(data_dir, config_file, db_port, host, port, demo):
    """Run PyForge with its embedded database (data kept in --data-dir)."""
    setup_logging(config_file)
    _stop_on_signals()
    try:
        with running_forge(data_dir, config_file, db_port) as forge:
            # listen first: a busy port must not swallow the one-time password
            try:
                server = waitress.create_server(
                    forge.app, host=host, port=port, threads=THREADS,
                    channel_request_lookahead=CHANNEL_REQUEST_LOOKAHEAD,
                    max_request_body_size=waitress_body_limit(forge.settings))
            except OSError as error:
                raise click.ClickException("Cannot listen on %s:%d: %s" % (
                    host, port, error.strerror or error))
            _use_own_address(forge.settings, server)
            if demo:
                password = ensure_demo_site(forge.registry, forge.data_dir)
                if password:
                    click.echo("Created the site admin 'admin' with the password: %s\n"
                               "(shown only this once; change it on the account page)"
                               % password)
            supervisor = _supervise(forge.database)
            start_embedded_workers(forge.registry)     # memory://: reactors in threads here
            mail_in = _start_mail_in(forge.registry)
            click.echo("Data in %s, database at %s" % (forge.data_dir, forge.database_url))
            click.echo("PyForge is running at http://%s:%s/ (Ctrl-C to stop)" % (
                server.effective_host, server.effective_port))
            sys.stdout.flush()
            try:
                server.run()        # returns after KeyboardInterrupt, requests finished
            finally:
                server.close()
                if supervisor is not None:
                    supervisor.stop()    # no restart of the database we now stop
                if mail_in is not None:
                    mail_in.stop()
                # before the database goes: the reactors write their last counters
                stop_embedded_workers(forge.registry, timeout=STOP_WORKERS_SECONDS)
    except KeyboardInterrupt:
        pass                        # a signal during start-up: stop just as cleanly
    click.echo("PyForge stopped.")
    _exit_now()


def _exit_now():
    """Leave without the interpreter's finalization: everything that needed
    stopping is stopped (server, workers, database), and the exit handlers
    took 3-4 s of a Ctrl-C (pymongo's waits for its monitor threads, which
    knock at the stopped database; collecting the heap of a configured forge)."""
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def _supervise(database):
    """Restart the embedded database server when it dies (not one found running)."""
    if database is None or not database.started:
        return None
    return DatabaseSupervisor(database).start()


def _start_mail_in(registry):
    """The inbound mail server too, when ``forge.mail_in.listen`` is set."""
    settings = registry.settings
    if not settings.get("forge.mail_in.listen"):
        return None
    if not settings.get("forge.mail_in.domain"):
        raise click.ClickException("forge.mail_in.listen is set but forge.mail_in.domain "
                                   "is not: set the domain mail comes in for.")
    from ..mail_in.server import MailInServer
    from .mail_in import start_server
    server = start_server(MailInServer, registry)
    click.echo("Mail in: %s on %s:%d for @%s" % ("LMTP" if server.lmtp else "SMTP",
                                                 *server.address,
                                                 settings["forge.mail_in.domain"]))
    return server


def _use_own_address(settings, server):
    """Mail and feed links are absolute (``forge.base_url``); unless one was
    configured, they name the address this server really listens on."""
    from ..settings import DEFAULTS
    if settings.get("forge.base_url") == DEFAULTS["forge.base_url"][0]:
        settings["forge.base_url"] = "http://%s:%s" % (server.effective_host,
                                                      server.effective_port)
