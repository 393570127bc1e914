"""What every command needs: settings, the data dir, the database, the app.

``running_forge`` resolves the settings the way ``forge serve`` and
``forge admin`` share them:

* ``--config FILE`` reads the ``[app:main]`` section of an INI file;
* ``--data-dir`` (or ``FORGE_DATA_DIR``, or ``forge.data_dir`` in the INI,
  or ``./data``) holds the secret and the embedded database;
* when no database is configured (no ``ming.main.uri`` in the INI, nor
  ``FORGE_MONGODB_URL`` / ``MING_MAIN_URI`` in the environment, or the value
  ``embedded``), the embedded server is started on ``--db-port`` (or found
  already running there) and stopped again when the command ends.

A command that runs once and returns (every ``forge admin ...``: the group
says so with ``one_shot_commands``; ``forge export``, ``import`` and
``import-trac`` pass ``one_shot=True``) starts no relay thread where the forge
would run one (RabbitMQ): with one, each save woke a pass of its own and the
process waited for the thread at exit (up to 2 s; 0.6-0.7 s measured after a
``create-project``), its last pass could outlive the database client at
exit and print a traceback (seen once from ``forge import``), and a command
that saves nothing needs none.  The
events such a command saved are published in one pass before it returns
(``publish_saved_events``); if the broker does not answer they stay in the
outbox, where any worker's or web process's relay finds them.  On
``memory://`` it publishes nothing: the ``forge serve`` process that runs the
reactors relays them from the outbox.
"""
import contextlib
import functools
import logging
import os
import secrets
import threading
from dataclasses import dataclass

import click
from pymongo.errors import PyMongoError
from pyramid.exceptions import ConfigurationError

from ..actions import ActionError
from ..embedded import DEFAULT_PORT, EmbeddedMongo, EmbeddedMongoError
from ..settings import DEV_SECRET, env_name, parse_settings

DEFAULT_DATA_DIR = "data"
EMBEDDED = "embedded"
SECRET_FILE = "secret"
ONE_SHOT_COMMANDS = "forge.cli.one_shot"     # click context meta: see one_shot_commands


def runtime_options(command):
    """Add ``--data-dir``, ``--config`` and ``--db-port`` to a click command."""
    options = [
        click.option("--data-dir", envvar="FORGE_DATA_DIR", default=None,
                     type=click.Path(file_okay=False),
                     help="Where the secret and the embedded database live "
                          "[default: forge.data_dir of the INI file, else ./data]."),
        click.option("--config", "config_file", default=None,
                     type=click.Path(exists=True, dir_okay=False),
                     help="An INI file (development.ini, production.ini) to read "
                          "settings from."),
        click.option("--db-port", envvar="FORGE_DB_PORT", default=DEFAULT_PORT,
                     show_default=True, type=click.IntRange(1, 65535),
                     help="Port of the embedded database server."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@dataclass
class Runtime:
    """A configured forge: the WSGI app, its settings and where its data is."""

    app: object
    data_dir: str
    database: EmbeddedMongo = None    # None when a configured MongoDB is used

    @property
    def registry(self):
        return self.app.registry

    @property
    def settings(self):
        return self.app.registry.settings

    @property
    def database_url(self):
        return self.settings["ming.main.uri"]


def read_config(config_file):
    """The ``[app:main]`` settings of an INI file as a plain dict."""
    if not config_file:
        return {}
    from pyramid.paster import get_appsettings
    try:
        return dict(get_appsettings(os.path.abspath(config_file)))
    except (LookupError, ValueError, OSError) as error:
        raise click.ClickException("Cannot read %s: %s" % (config_file, error))


def configured_database(raw, environ=None):
    """The database URI the settings name, or None for the embedded server."""
    environ = os.environ if environ is None else environ
    uri = (environ.get("FORGE_MONGODB_URL") or environ.get(env_name("ming.main.uri"))
           or raw.get("ming.main.uri") or "").strip()
    return None if uri in ("", EMBEDDED) else uri


def resolve_data_dir(option, raw):
    return os.path.abspath(option or raw.get("forge.data_dir") or DEFAULT_DATA_DIR)


def load_secret(data_dir):
    """The session secret kept in ``DATA_DIR/secret`` (created 0600 on first use),
    so that sign-ins survive a restart without anyone configuring a secret."""
    path = os.path.join(data_dir, SECRET_FILE)
    try:
        with open(path) as stored:
            secret = stored.read().strip()
        if secret:
            return secret
    except FileNotFoundError:
        pass
    secret = secrets.token_urlsafe(48)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as stored:
        stored.write(secret + "\n")
    os.chmod(path, 0o600)
    return secret


def build_settings(raw, data_dir, environ=None):
    """The app settings: INI values, the data dir and, unless one is
    configured, the data dir's own secret. Raises ConfigurationError."""
    settings = dict(raw)
    settings["forge.data_dir"] = data_dir
    effective = parse_settings(settings, environ)     # raises for production without secret
    if effective["forge.secret"] == DEV_SECRET and settings.get("forge.secret") != DEV_SECRET:
        settings["forge.secret"] = load_secret(data_dir)
    return settings


@contextlib.contextmanager
def running_forge(data_dir=None, config_file=None, db_port=DEFAULT_PORT, echo=click.echo,
                  one_shot=None):
    """Yield a ``Runtime``; start and stop the embedded database around it.
    ``one_shot`` (default: ``is_one_shot()``): no relay thread, the saved
    events published when the block ends (see the module's docstring)."""
    from ..bus.relay import ONE_SHOT
    raw = read_config(config_file)
    data_dir = resolve_data_dir(data_dir, raw)
    try:
        os.makedirs(data_dir, exist_ok=True)
    except OSError as error:
        raise click.ClickException("Cannot create the data dir %s: %s" % (data_dir, error))
    settings = build_settings(raw, data_dir)
    settings[ONE_SHOT] = is_one_shot() if one_shot is None else one_shot
    database = None
    if configured_database(raw) is None:
        database = EmbeddedMongo(data_dir, db_port).start()
        settings["ming.main.uri"] = database.url
        if database.reused:
            echo("Using the database server already running on %s." % database.url, err=True)
    saved = None
    try:
        from forge import main
        app = main({}, **settings)
        saved = watch_saved_events(app.registry)
        yield Runtime(app=app, data_dir=data_dir, database=database)
    finally:
        try:
            if saved is not None and saved.is_set():
                publish_saved_events(app.registry, echo)
        finally:
            if database is not None:
                database.stop()


def one_shot_commands(context):
    """Mark the commands of a click group (``forge admin``) as one-shot."""
    context.meta[ONE_SHOT_COMMANDS] = True


def is_one_shot():
    """Whether the click command running now was marked by ``one_shot_commands``."""
    context = click.get_current_context(silent=True)
    return bool(context is not None and context.meta.get(ONE_SHOT_COMMANDS))


def watch_saved_events(registry):
    """A one-shot command whose relay would be a thread: an Event set by each
    save that writes an event (where the relay thread would be woken); None
    otherwise (``inline`` and ``off`` relays are left as they are)."""
    from ..bus.relay import ONE_SHOT, relay_mode
    settings = registry.settings
    if not settings.get(ONE_SHOT) or relay_mode(settings) != "thread":
        return None
    if settings["forge.bus.url"].startswith("memory://"):
        return None          # an in-process bus nobody consumes: forge serve relays them
    saved = threading.Event()
    registry.forge_bus_wake = saved.set
    return saved


def publish_saved_events(registry, echo=click.echo):
    """One relay pass for what the command saved (and anything else unsent);
    if it fails, say so: the events wait in the outbox for another relay."""
    relay = registry.forge_relay
    try:
        relay.publish_pending()
    except Exception as error:
        echo("The events this command saved wait in the outbox: the message bus did "
             "not take them (%s). A worker's or web process's relay will send them."
             % error, err=True)
    finally:
        relay.disconnect()


@contextlib.contextmanager
def user_errors():
    """Turn the errors a user can act on into a message and exit code 1."""
    try:
        yield
    except ActionError as error:
        raise click.ClickException(str(error))
    except ConfigurationError as error:
        raise click.ClickException("Configuration error: %s" % error)
    except EmbeddedMongoError as error:
        raise click.ClickException(str(error))
    except PyMongoError as error:
        raise click.ClickException("The database does not answer: %s" % error)


def handles_user_errors(command):
    """Decorator form of ``user_errors`` for click command functions."""
    @functools.wraps(command)
    def wrapper(*args, **kw):
        with user_errors():
            return command(*args, **kw)
    return wrapper


def setup_logging(config_file):
    """Logging from the INI file's [loggers] sections, else warnings to stderr."""
    if config_file:
        from pyramid.paster import setup_logging as setup_from_ini
        try:
            setup_from_ini(config_file)
            return
        except Exception:      # an INI without [loggers]: fall back to the default
            pass
    logging.basicConfig(level=logging.WARNING,
                        format="%(asctime)s %(levelname)s [%(name)s] %(message)s")
