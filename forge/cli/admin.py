"""``forge admin ...``: users, projects and tools from the command line.

Each command works whether ``forge serve`` runs or not: it uses the running
embedded database, or starts one for the duration of the command. Changes go
through ``forge.actions`` like the pages' changes (same checks, audit entries
and events); a refused change prints the reason and exits with code 1.  Each
is a one-shot command (``forge.cli.runtime``): no relay thread; the events it
saved are published in one pass before it returns.
"""
import sys

import click

from ..actions import ActionError
from ..model import Neighborhood, Project, User
from ..model.session import ensure_indexes as ensure_all_indexes
from .runtime import handles_user_errors, one_shot_commands, running_forge, runtime_options

SOURCE = "cli"


@click.group()
@click.pass_context
def admin(context):
    """Administer the forge's users, projects and tools."""
    # each runs once and returns: no relay thread, its saved events sent at the end
    one_shot_commands(context)


def find_project(path, neighborhood="p"):
    """The project at ``demo`` or ``demo/docs`` in a neighborhood, or ActionError."""
    nb = Neighborhood.query.get(name=neighborhood)
    path = (path or "").strip("/")
    project = Project.query.get(neighborhood_id=nb._id, shortname=path) if nb and path else None
    if project is None or project.deleted:
        raise ActionError("There is no project %r in /%s/." % (path, neighborhood))
    return project


def find_user(username):
    user = User.by_username((username or "").strip().lower())
    if user is None:
        raise ActionError("There is no user %r." % username)
    return user


def read_password(stream):
    """The first line of ``stream``, without its line end (asked for, unechoed,
    when the stream is a terminal)."""
    if stream.isatty():
        password = click.prompt("Password", hide_input=True, err=True)
    else:
        password = stream.readline().rstrip("\r\n")
    if not password:
        raise ActionError("No password on standard input (give it as one line).")
    return password


@admin.command("create-user")
@click.argument("username")
@click.option("--email", required=True, help="The user's e-mail address.")
@click.option("--password-stdin", is_flag=True, required=True,
              help="Read the password as one line from standard input.")
@click.option("--display-name", default="", help="The name shown on pages.")
@click.option("--site-admin", is_flag=True, help="Make the user a site admin.")
@runtime_options
@handles_user_errors
def create_user(username, email, password_stdin, display_name, site_admin,
                data_dir, config_file, db_port):
    """Create a user (and their personal project under /u/)."""
    from ..actions.users import create_user as create
    password = read_password(sys.stdin)
    with running_forge(data_dir, config_file, db_port) as forge:
        user = create(forge.registry, username, email, password, display_name=display_name,
                      site_admin=site_admin, source=SOURCE)
        click.echo("Created user %s%s." % (user.username, " (site admin)" if site_admin else ""))


@admin.command("create-project")
@click.argument("shortname")
@click.option("--admin", "admin_name", required=True,
              help="Username of the project's first admin.")
@click.option("--parent", default=None, help="Make it a subproject of this project "
                                              "(its path, e.g. demo or demo/docs).")
@click.option("--title", default=None, help="The title [default: the short name].")
@click.option("--description", default="", help="A Markdown description.")
@click.option("--private", is_flag=True, help="Only members may see it.")
@runtime_options
@handles_user_errors
def create_project(shortname, admin_name, parent, title, description, private,
                   data_dir, config_file, db_port):
    """Create a project (or, with --parent, a subproject) under /p/."""
    from ..actions.projects import create_project as create
    with running_forge(data_dir, config_file, db_port) as forge:
        actor = find_user(admin_name)
        parent_doc = find_project(parent) if parent else None
        projects = Neighborhood.query.get(name="p")
        project = create(forge.registry, projects, shortname, title or shortname, actor,
                         parent=parent_doc, private=private, description=description,
                         source=SOURCE)
        click.echo("Created project /p/%s/%s." % (
            project.shortname, " (private)" if private else ""))


@admin.command("install-tool")
@click.argument("project")
@click.argument("tool")
@click.argument("mount")
@click.option("--label", default=None, help="The label in the project's menu.")
@runtime_options
@handles_user_errors
def install_tool(project, tool, mount, label, data_dir, config_file, db_port):
    """Install TOOL (e.g. notes) in PROJECT (e.g. demo/docs) at MOUNT."""
    from ..actions.projects import install_tool as install
    with running_forge(data_dir, config_file, db_port) as forge:
        project_doc = find_project(project)
        install(forge.registry, project_doc, tool, mount, None, label=label, source=SOURCE)
        click.echo("Installed %s at /p/%s/%s/." % (tool, project_doc.shortname, mount))


@admin.command("ensure-indexes")
@runtime_options
@handles_user_errors
def ensure_indexes(data_dir, config_file, db_port):
    """Create the database indexes every document type declares (idempotent)."""
    with running_forge(data_dir, config_file, db_port) as forge:
        ensure_all_indexes(forge.settings["forge.db.equality_indexes"])
        click.echo("Indexes are in place.")


@admin.command("verify-email")
@click.argument("username")
@runtime_options
@handles_user_errors
def verify_email(username, data_dir, config_file, db_port):
    """Mark USERNAME's pending e-mail address verified (for a site without mail,
    or a user whose mail does not arrive)."""
    from ..actions.email_verification import mark_verified
    with running_forge(data_dir, config_file, db_port):
        user = find_user(username)
        mark_verified(user, None)
        click.echo("The address %s of %s is verified." % (user.email, user.username))


@admin.command("create-token")
@click.argument("username")
@click.option("--name", default="command line", show_default=True,
              help="What the token is for (shown on the user's account page).")
@click.option("--scope", type=click.Choice(["read", "write", "admin"]), default="write",
              show_default=True, help="read: only reading; write: all but administration; "
                                      "admin: all the user may do.")
@click.option("--project", "project_path", default=None,
              help="Limit the token to this project and its subprojects "
                   "(its path, e.g. demo or demo/docs).")
@click.option("--expires", "expires_days", type=int, default=None,
              help="Days until the token expires [default: never].")
@runtime_options
@handles_user_errors
def create_token(username, name, scope, project_path, expires_days,
                 data_dir, config_file, db_port):
    """Make an API token for USERNAME and print it (only this once): scripts
    send it as "Authorization: Bearer TOKEN", git as the HTTP password."""
    from ..actions.tokens import create_token as create
    with running_forge(data_dir, config_file, db_port):
        user = find_user(username)
        if user.disabled:
            raise ActionError("The account %s is disabled: its tokens would not work."
                              % user.username)
        project = find_project(project_path) if project_path else None
        record, token = create(user, name, scope=scope, project=project,
                               expires_days=expires_days, actor=None, source=SOURCE)
        click.echo("Created the API token %r for %s (scope %s%s%s). It is shown only now:"
                   % (record.name, user.username, record.scope,
                      ", project %s" % project.shortname if project else "",
                      ", expires in %d days" % expires_days if expires_days else ""), err=True)
        click.echo(token)
