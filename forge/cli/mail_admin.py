"""``forge admin send-digests``: mail the daily digests now;
``forge admin prune-mail-in``: delete old received messages now.

``send-digests`` is idempotent per period (a UTC day): running it twice, or
beside a ``forge worker`` whose digest thread ran, sends nothing the second
time.  ``prune-mail-in`` does what the mail-in server does about once an hour.
"""
import click

from .runtime import handles_user_errors, running_forge, runtime_options


@click.command("send-digests")
@click.option("--period", default=None, metavar="YYYY-MM-DD",
              help="The period to send for (default: today, UTC).")
@runtime_options
@handles_user_errors
def send_digests_command(period, data_dir, config_file, db_port):
    """Send each user who chose daily digests the changes queued for them."""
    from ..notifications.digest import pending_users, period_of, send_digests
    with running_forge(data_dir, config_file, db_port) as forge:
        if not forge.registry.forge_mailer.enabled:
            raise click.ClickException("forge.mail.host is not set: this forge sends no mail.")
        period = period or period_of()
        users = pending_users()
        with click.progressbar(length=len(users), label="Digests for %s" % period,
                               show_pos=True) as bar:
            sent, skipped = send_digests(forge.registry, period,
                                         progress=lambda user_id, done: bar.update(1))
        click.echo("Sent %d digest%s; %d user%s had nothing new for %s or got it already."
                   % (sent, "" if sent == 1 else "s", skipped, "" if skipped == 1 else "s",
                      period))


@click.command("prune-mail-in")
@click.option("--keep-days", type=int, default=None,
              help="Keep messages this many days [default: forge.mail_in.keep_days].")
@runtime_options
@handles_user_errors
def prune_mail_in_command(keep_days, data_dir, config_file, db_port):
    """Delete received messages (records and raw mail) older than --keep-days.

    The comments and artifacts they made stay."""
    from ..mail_in.pruning import prune_inbound_mail
    if keep_days is not None and keep_days < 1:
        raise click.BadParameter("must be 1 or more", param_hint="--keep-days")
    with running_forge(data_dir, config_file, db_port) as forge:
        days = keep_days if keep_days is not None else forge.settings["forge.mail_in.keep_days"]
        if days < 1:
            raise click.ClickException("forge.mail_in.keep_days is 0 (keep for ever): say "
                                       "--keep-days to prune anyway.")

        def progress(removed):
            click.echo("  %d removed so far..." % removed, err=True)

        removed = prune_inbound_mail(days, progress=progress)
        click.echo("Removed %d received message%s older than %d days." % (
            removed, "" if removed == 1 else "s", days))
