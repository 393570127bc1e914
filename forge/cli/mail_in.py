"""``forge mail-in [CONFIG]``: the inbound mail server as its own process.

Listens on ``forge.mail_in.listen`` (or ``--listen``), speaking SMTP, or LMTP
with ``forge.mail_in.lmtp`` / ``--lmtp`` (behind Postfix or Exim), until
SIGTERM or Ctrl-C; then it finishes the messages in hand and exits 0.  Events
of applied messages go to the bus like any others: on RabbitMQ this process
relays them itself; on ``memory://`` the ``forge serve`` process that runs
the reactors publishes them from the database.
"""
import signal
import threading

import click
from pyramid.exceptions import ConfigurationError

from .runtime import (handles_user_errors, read_config, running_forge, runtime_options,
                      setup_logging)


@click.command("mail-in")
@click.argument("config_argument", metavar="[CONFIG]", required=False,
                type=click.Path(exists=True, dir_okay=False))
@runtime_options
@click.option("--listen", default=None, metavar="HOST:PORT",
              help="Address to listen on [default: forge.mail_in.listen].")
@click.option("--lmtp/--smtp", default=None,
              help="Speak LMTP (behind an MTA) or SMTP [default: forge.mail_in.lmtp].")
@handles_user_errors
def mail_in(config_argument, data_dir, config_file, db_port, listen, lmtp):
    """Receive mail: replies to notifications and mail to tool addresses."""
    from ..mail_in.server import MailInServer
    config_file = config_argument or config_file
    check_settings(config_file, listen)
    setup_logging(config_file)
    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    with running_forge(data_dir, config_file, db_port) as forge:
        settings = forge.settings
        server = start_server(MailInServer, forge.registry, listen, lmtp)
        host, port = server.address
        click.echo("Mail in: %s on %s:%d for @%s (Ctrl-C to stop)" % (
            "LMTP" if server.lmtp else "SMTP", host, port, settings["forge.mail_in.domain"]))
        try:
            while not stop.wait(0.5):
                pass
            click.echo("Stopping: finishing the messages in hand...")
        finally:
            server.stop()
            relay = getattr(forge.registry, "forge_relay", None)
            if relay is not None:
                relay.stop()
    click.echo("Mail in stopped.")


def check_settings(config_file, listen):
    """Refuse a forge that takes no mail, or no address to listen on, before
    the database is started and the app built (seconds a user waits for a
    message the settings alone give)."""
    from ..mail_in.settings import parse_listen, parse_mail_in_settings
    settings = parse_mail_in_settings(read_config(config_file))
    if not settings["forge.mail_in.domain"]:
        raise click.ClickException("forge.mail_in.domain is not set: this forge takes "
                                   "no mail (set it in the INI file or "
                                   "FORGE_MAIL_IN_DOMAIN).")
    address = listen or settings["forge.mail_in.listen"]
    if not address:
        raise click.ClickException("Say where to listen: forge.mail_in.listen or "
                                   "--listen HOST:PORT.")
    try:
        parse_listen(address)
    except ConfigurationError as error:
        raise click.ClickException(str(error))


def start_server(server_class, registry, listen=None, lmtp=None):
    """Start the server; a bad address or a busy port is a message, not a traceback."""
    try:
        server = server_class(registry, listen=listen, lmtp=lmtp)
    except ConfigurationError as error:
        raise click.ClickException(str(error))
    try:
        return server.start()
    except (OSError, RuntimeError) as error:
        server.executor.shutdown(wait=False)
        raise click.ClickException("Cannot listen on %s:%d: %s" % (
            server.host, server.port, getattr(error, "strerror", None) or error))
