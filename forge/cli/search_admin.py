"""``forge admin reindex [PROJECT]``: rebuild the search index from the database.

Without PROJECT the whole index is emptied and rebuilt; with it, the
project and its subprojects.  Each tool is rebuilt as the ``forge.search``
reactor rebuilds one: its artifacts, then the documents its tool type keeps
itself (``config.add_search_source``: the code tool's commits), so the count
printed includes those.  Searches keep answering from the old documents
until the rebuild commits.  The index takes one writer at a time: while a
worker (or ``forge serve``) is writing, the command waits for its turn.
"""
import sys

import click

from .runtime import handles_user_errors, running_forge, runtime_options


@click.command("reindex")
@click.argument("project", required=False)
@click.option("--neighborhood", default="p", show_default=True,
              help="The neighborhood of PROJECT.")
@runtime_options
@handles_user_errors
def reindex_command(project, neighborhood, data_dir, config_file, db_port):
    """Rebuild the search index (everything, or PROJECT with its subprojects)."""
    from ..search.indexer import reindex, subtree_tool_ids
    from .admin import find_project
    with running_forge(data_dir, config_file, db_port) as forge:
        project_doc = find_project(project, neighborhood) if project else None
        total = len(subtree_tool_ids(project_doc._id if project_doc else None))
        # on stderr, so that stdout keeps only the result line
        with click.progressbar(length=total, label="Indexing tools", file=sys.stderr,
                               show_pos=True) as bar:
            indexed = reindex(forge.registry, project_doc, on_tool=lambda: bar.update(1))
        click.echo("Indexed %d documents from %d tools%s." % (
            indexed, total, " of %s" % project if project else ""))
