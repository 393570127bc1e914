"""``forge admin send-digests``: mail the daily digests now.

Idempotent per period (a UTC day): running it twice, or beside a ``forge
worker`` whose digest thread ran, sends nothing the second time.
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
