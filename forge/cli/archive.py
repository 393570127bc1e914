"""``forge export PROJECT FILE`` and ``forge import FILE``: a project's data as
one documented archive, and back (``forge.archive``, issue 15).

An import checks the whole archive first (``--dry-run`` stops there and says
what would be written); a damaged or hostile archive, or a path that is
taken, writes nothing and exits with code 1.
"""
import contextlib
import os
import sys

import click

from .runtime import handles_user_errors, running_forge, runtime_options


@click.command("export")
@click.argument("project")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--neighborhood", default="p", show_default=True,
              help="The neighborhood of PROJECT.")
@click.option("--no-subprojects", is_flag=True, help="Leave the subprojects out.")
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@runtime_options
@handles_user_errors
def export_command(project, file, neighborhood, no_subprojects, force, data_dir,
                   config_file, db_port):
    """Write PROJECT (with its subprojects) to the archive FILE (a zip)."""
    from ..archive import export_project
    from .admin import find_project
    if os.path.exists(file) and not force:
        raise click.ClickException("%s exists; give another file name or --force." % file)
    with running_forge(data_dir, config_file, db_port, one_shot=True) as forge:
        root = find_project(project, neighborhood)
        partial = file + ".part"
        with progress_display("Exporting") as progress:
            summary = export_project(forge.registry, root._id, partial,
                                     subprojects=not no_subprojects, progress=progress)
        os.replace(partial, file)
    click.echo("Exported /%s/%s/ to %s: %d records, %d files (%s)." % (
        neighborhood, root.shortname, file, summary.records, summary.files,
        _counts(summary.counts)))
    if summary.missing_files:
        click.echo("%d attachment files were missing in the database and are not in the "
                   "archive." % len(summary.missing_files), err=True)


@click.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--as", "as_path", default=None,
              help="The imported project's path (default: the exported one's).")
@click.option("--parent", default=None, help="Import as a subproject of this project.")
@click.option("--neighborhood", default=None,
              help="The neighborhood to import into [default: the exported one's].")
@click.option("--users", type=click.Choice(["map", "create", "placeholder"]), default="map",
              show_default=True,
              help="People without an account here: refuse (map), create accounts "
                   "(create), or disabled placeholder accounts that only name authors.")
@click.option("--dry-run", is_flag=True, help="Check everything, say what would be "
                                              "written, write nothing.")
@click.option("--reindex", is_flag=True,
              help="Also rebuild the search index now (else the forge.search reactor "
                   "does it from the project.imported event).")
@runtime_options
@handles_user_errors
def import_command(file, as_path, parent, neighborhood, users, dry_run, reindex, data_dir,
                   config_file, db_port):
    """Import the archive FILE as a new project (new ids, nothing overwritten)."""
    with running_forge(data_dir, config_file, db_port, one_shot=True) as forge:
        _import_file(forge, file, dict(as_path=as_path, parent_path=parent, users=users,
                                       neighborhood=neighborhood), dry_run, reindex)


@click.command("import-trac")
@click.argument("trac_env", type=click.Path(exists=True, file_okay=False))
@click.argument("project")
@click.option("--parent", default=None, help="Import as a subproject of this project.")
@click.option("--users", type=click.Choice(["map", "create", "placeholder"]),
              default="placeholder", show_default=True,
              help="Trac's people without an account here: refuse (map), create accounts "
                   "(create), or disabled placeholder accounts that only name authors.")
@click.option("--dry-run", is_flag=True, help="Convert and check, write nothing.")
@click.option("--keep-archive", type=click.Path(dir_okay=False), default=None,
              help="Also keep the converted archive in this file.")
@runtime_options
@handles_user_errors
def import_trac_command(trac_env, project, parent, users, dry_run, keep_archive, data_dir,
                        config_file, db_port):
    """Import the Trac environment TRAC_ENV as the new project PROJECT: wiki pages
    with their history, tickets with their changes and comments, milestones,
    components as labels, attachments (Trac need not be installed)."""
    import subprocess
    import tempfile
    with tempfile.TemporaryDirectory(prefix="forge-trac-") as scratch:
        archive = keep_archive or os.path.join(scratch, "trac.zip")
        # a process of its own: the conversion binds Ming to a scratch database
        done = subprocess.run([sys.executable, "-m", "forge.archive.trac", trac_env,
                               project, archive], capture_output=True, text=True)
        if done.returncode != 0:
            raise click.ClickException("The Trac environment cannot be converted: %s" % (
                done.stderr.strip().splitlines() or ["(no message)"])[-1])
        click.echo("Converted %s: %s" % (trac_env, done.stdout.strip()))
        with running_forge(data_dir, config_file, db_port, one_shot=True) as forge:
            _import_file(forge, archive, dict(parent_path=parent, users=users,
                                              neighborhood="p"), dry_run, False)


def _import_file(forge, file, options, dry_run, reindex):
    from ..archive import ArchiveError, ArchiveReader, import_archive, plan_import
    try:
        with ArchiveReader(file) as reader:
            plan = plan_import(forge.registry, reader, **options)
            where = "/%s/%s/" % (plan.neighborhood["name"], plan.new_root_path)
            for warning in plan.warnings:
                click.echo("Warning: " + warning, err=True)
            if dry_run:
                _say_plan(plan, where)
                return
            with progress_display("Importing") as progress:
                summary = import_archive(forge.registry, reader, plan, progress=progress)
    except ArchiveError as error:
        raise click.ClickException("The archive cannot be imported, nothing was "
                                   "written:\n%s" % error)
    click.echo("Imported %s: %d records (%s); %d accounts created." % (
        where, summary.records, _counts(summary.counts), summary.users_created))
    if summary.skipped:
        click.echo("Left out (naming records not in the archive): %s." % _counts(
            summary.skipped))
    if reindex:
        from ..model import Project
        from ..search.indexer import reindex as rebuild
        indexed = rebuild(forge.registry, Project.query.get(_id=summary.root_id))
        click.echo("Indexed %d documents." % indexed)


def _say_plan(plan, where):
    click.echo("Dry run: the archive is valid; nothing was written.")
    click.echo("Would import %s: %d records (%s)." % (where, plan.records,
                                                       _counts(plan.counts)))
    created = [u["username"] for u in plan.new_users]
    click.echo("People: %d matched to accounts here, %d new accounts%s." % (
        len(plan.users) - len(created), len(created),
        (": " + ", ".join(created)) if created else ""))
    if plan.skipped:
        click.echo("Would leave out (naming records not in the archive): %s." % _counts(
            {k: len(v) for k, v in plan.skipped.items()}))


def _counts(counts):
    return ", ".join("%d %s" % (n, kind) for kind, n in counts.items() if n) or "nothing"


@contextlib.contextmanager
def progress_display(label):
    """A live line of counts on a terminal (rich); nothing when piped."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
    from rich.console import Console
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label)

        def update(kind, count):
            bar.update(task, description="%s: %s %d" % (label, kind, count))
        yield update
