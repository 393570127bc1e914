"""The ``forge`` command: ``forge serve`` and ``forge admin ...``.

Every command takes ``--data-dir``, ``--config`` and ``--db-port`` (see
``forge.cli.runtime``); errors a user can act on print a message on stderr
and exit with code 1 (2 for a wrong command line), never a traceback.
"""
import click

from .admin import admin
from .serve import serve


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="pyforge")
def main():
    """PyForge: projects, wikis, trackers and code hosting."""


main.add_command(serve)
main.add_command(admin)
