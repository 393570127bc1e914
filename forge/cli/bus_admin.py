"""``forge admin dead-letters ...`` and ``forge admin bus-status``.

Dead letters are events a reactor failed on ``forge.bus.max_attempts`` times;
they wait in the reactor's dead-letter queue until an admin replays them
(after fixing the reactor) or purges them.  ``bus-status`` shows each
reactor's counters (kept by the workers in ``bus_stats``), its queue depths and
the outbox's unsent backlog.
"""
import datetime
import json

import click

from .runtime import handles_user_errors, running_forge, runtime_options


def _bus_errors(action):
    """Run ``action()``; a broker that does not answer is a user error."""
    from kombu.exceptions import OperationalError
    try:
        return action()
    except LookupError as error:
        raise click.ClickException(str(error.args[0] if error.args else error))
    except (OperationalError, OSError) as error:
        raise click.ClickException("The message bus does not answer: %s" % error)


def _warn_if_memory(forge):
    from ..bus.worker import is_memory
    if is_memory(forge.settings):
        click.echo("forge.bus.url is memory://: the queues live in the process that runs "
                   "the reactors (forge serve); this command sees none of them.", err=True)


def _when(epoch):
    if not epoch:
        return "-"
    return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).strftime(
        "%Y-%m-%d %H:%M:%S UTC")


@click.group("dead-letters")
def dead_letters():
    """List, show, replay or purge the events reactors gave up on."""


@dead_letters.command("list")
@click.option("--reactor", default=None, help="Only this reactor's dead letters.")
@runtime_options
@handles_user_errors
def list_command(reactor, data_dir, config_file, db_port):
    """One line per dead letter: event id, reactor, topic, attempts, when, error."""
    from ..bus.dead_letters import list_dead_letters
    with running_forge(data_dir, config_file, db_port) as forge:
        _warn_if_memory(forge)
        letters = _bus_errors(lambda: list_dead_letters(forge.registry, reactor))
        for letter in letters:
            click.echo("%s  %s  %s  attempts=%d  %s  %s" % (
                letter.event_id, letter.reactor, letter.topic, letter.attempts,
                _when(letter.failed_at), letter.error.splitlines()[0] if letter.error else ""))
        click.echo("%d dead letter%s." % (len(letters), "" if len(letters) == 1 else "s"))


@dead_letters.command("show")
@click.argument("event_id")
@runtime_options
@handles_user_errors
def show_command(event_id, data_dir, config_file, db_port):
    """The whole dead letter (headers and event) of EVENT_ID, as JSON."""
    from ..bus.dead_letters import list_dead_letters
    with running_forge(data_dir, config_file, db_port) as forge:
        _warn_if_memory(forge)
        letters = [letter for letter in _bus_errors(lambda: list_dead_letters(forge.registry))
                   if letter.event_id == event_id]
        if not letters:
            raise click.ClickException("There is no dead letter of event %r." % event_id)
        for letter in letters:
            click.echo(json.dumps({"reactor": letter.reactor, "error": letter.error,
                                   "attempts": letter.attempts,
                                   "failed_at": _when(letter.failed_at),
                                   "event": letter.body}, indent=2, sort_keys=True,
                                  default=str))


@dead_letters.command("replay")
@click.argument("event_id", required=False)
@click.option("--all", "replay_all", is_flag=True, help="Replay every dead letter.")
@click.option("--reactor", default=None, help="Only this reactor's dead letters.")
@runtime_options
@handles_user_errors
def replay_command(event_id, replay_all, reactor, data_dir, config_file, db_port):
    """Send EVENT_ID's dead letters (or --all) back to their reactors."""
    from ..bus.dead_letters import replay
    if bool(event_id) == bool(replay_all):
        raise click.UsageError("Give an EVENT_ID or --all (not both).")
    with running_forge(data_dir, config_file, db_port) as forge:
        _warn_if_memory(forge)
        count = _bus_errors(lambda: replay(forge.registry, event_id, reactor))
        if event_id and not count:
            raise click.ClickException("There is no dead letter of event %r." % event_id)
        click.echo("Replayed %d dead letter%s." % (count, "" if count == 1 else "s"))


@dead_letters.command("purge")
@click.option("--reactor", default=None, help="Only this reactor's dead letters.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@runtime_options
@handles_user_errors
def purge_command(reactor, yes, data_dir, config_file, db_port):
    """Drop the dead letters for good."""
    from ..bus.dead_letters import purge
    if not yes:
        click.confirm("Drop the dead letters for good?", abort=True, err=True)
    with running_forge(data_dir, config_file, db_port) as forge:
        _warn_if_memory(forge)
        count = _bus_errors(lambda: purge(forge.registry, reactor))
        click.echo("Purged %d dead letter%s." % (count, "" if count == 1 else "s"))


@click.command("bus-status")
@runtime_options
@handles_user_errors
def bus_status(data_dir, config_file, db_port):
    """Per-reactor counters, queue depths and the outbox backlog."""
    from ..bus.status import bus_status as read_bus_status
    with running_forge(data_dir, config_file, db_port) as forge:
        status = read_bus_status(forge.registry)
        if status.broker_error:
            click.echo("The message bus does not answer: %s" % status.broker_error, err=True)
        click.echo("Outbox: %d events not yet published." % status.unsent)
        header = ("reactor", "processed", "failed", "retried", "dead_lettered", "lag_s",
                  "ready", "retrying", "dead")
        rows = [(r.name, *(str(r.counters[k]) for k in header[1:5]),
                 "-" if r.lag_seconds is None else "%.3f" % r.lag_seconds,
                 *(str(r.queues.get(k, "-")) for k in header[6:]))
                for r in status.reactors]
        widths = [max(len(str(row[i])) for row in [header] + rows) for i in range(len(header))]
        for row in [header] + rows:
            click.echo("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)))


@click.command("prune-bus")
@click.option("--keep-days", type=float, default=None,
              help="Keep this many days (default: the forge.bus.keep_days setting; 0 removes "
                   "every sent record now).")
@runtime_options
@handles_user_errors
def prune_bus(keep_days, data_dir, config_file, db_port):
    """Delete sent outbox records and processed markers older than --keep-days.

    Unsent events are never deleted.  The relay does this about once an hour
    by itself; this command is for doing it now."""
    from ..bus.retention import prune_bus as prune
    with running_forge(data_dir, config_file, db_port) as forge:
        days = keep_days if keep_days is not None else forge.settings["forge.bus.keep_days"]
        if days < 0:
            raise click.BadParameter("must be 0 or more", param_hint="--keep-days")

        def progress(removed):
            click.echo("  %d outbox records removed so far..." % removed, err=True)

        outbox, markers = prune(days * 86400.0, progress=progress)
        click.echo("Removed %d sent outbox records and %d processed markers older than "
                   "%g days." % (outbox, markers, days))
