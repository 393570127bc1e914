"""The ``forge`` command: ``forge serve``, ``forge worker``, ``forge mail-in``
and ``forge admin ...``.

Every command takes ``--data-dir``, ``--config`` and ``--db-port`` (see
``forge.cli.runtime``); errors a user can act on print a message on stderr
and exit with code 1 (2 for a wrong command line), never a traceback.
"""
import click

from .admin import admin
from .archive import export_command, import_command, import_trac_command
from .bus_admin import bus_status, dead_letters, prune_bus
from .mail_admin import prune_mail_in_command, send_digests_command
from .mail_in import mail_in
from .mail_in_admin import mail_in_log_command, mail_in_reprocess_command, mail_in_show_command
from .new_tool import new_tool
from .search_admin import reindex_command
from .serve import serve
from .worker import worker


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="pyforge")
def main():
    """PyForge: projects, wikis, trackers, discussions and notes."""


main.add_command(serve)
main.add_command(admin)
main.add_command(worker)
main.add_command(new_tool)
main.add_command(mail_in)
admin.add_command(dead_letters)
admin.add_command(bus_status)
admin.add_command(prune_bus)
admin.add_command(send_digests_command)
admin.add_command(reindex_command)
admin.add_command(prune_mail_in_command)
admin.add_command(mail_in_log_command)
admin.add_command(mail_in_show_command)
admin.add_command(mail_in_reprocess_command)
main.add_command(export_command)
main.add_command(import_command)
main.add_command(import_trac_command)
