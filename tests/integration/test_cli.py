"""``forge admin`` on a real database server: refused input gives a message
on stderr and a non-zero exit code, never a traceback.

Each way a command ends is checked in a separate process (the console script,
its exit code, whatever it prints on its way out): a refused change (code 1),
a wrong command line (code 2), a busy port (the embedded server's, ``forge
serve``'s) and a long command with its progress (reindex).  The other
refusals end the same way, so their messages are checked in this process
(``forge_here``: click's CliRunner) on the same server and database: a
``forge`` process costs ~2.8 s of CPU before it does anything (imports, the
app), one more app in this process ~1 s."""
import subprocess
import uuid

import pytest

from .conftest import COMMAND_TIMEOUT, FORGE, forge_env, forge_here

pytestmark = pytest.mark.integration

PASSWORD = "integration pass 1"


def assert_refused(done, message, code=1):
    assert done.returncode == code, (done.stdout, done.stderr)
    assert message in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


class Admin:
    """``forge admin ...`` against a database of this module's own on the
    session's server: ``admin(...)`` as a process, ``admin.here(...)`` in this
    one (``forge_here``); both return a CompletedProcess."""

    def __init__(self, mongo_url, data_dir):
        self.data_dir = str(data_dir)
        self.env = forge_env(FORGE_MONGODB_URL=mongo_url,
                             MING_MAIN_DATABASE="forge_cli_%s" % uuid.uuid4().hex[:12])

    def __call__(self, *args, input=None):
        return subprocess.run([FORGE, "admin", *map(str, args), "--data-dir", self.data_dir],
                              input=input, capture_output=True, text=True, env=self.env,
                              timeout=COMMAND_TIMEOUT)

    def here(self, *args, input=None):
        return forge_here("admin", *args, "--data-dir", self.data_dir, input=input,
                          env=self.env)


@pytest.fixture(scope="module")
def forge_admin(mongo_url, tmp_path_factory):
    """``Admin`` with a user ``ada`` and a project ``demo``."""
    admin = Admin(mongo_url, tmp_path_factory.mktemp("cli-data"))
    done = admin.here("create-user", "ada", "--email", "ada@example.test", "--password-stdin",
                      input=PASSWORD + "\n")
    assert done.returncode == 0, done.stderr
    done = admin.here("create-project", "demo", "--admin", "ada")
    assert done.returncode == 0, done.stderr
    return admin


def test_unknown_tool(forge_admin):
    assert_refused(forge_admin("install-tool", "demo", "no-such-tool", "x"),
                   "There is no tool named 'no-such-tool'")


def test_duplicate_project(forge_admin):
    assert_refused(forge_admin.here("create-project", "demo", "--admin", "ada"),
                   "The short name 'demo' is taken.")


def test_bad_project_name(forge_admin):
    assert_refused(forge_admin.here("create-project", "Bad Name!", "--admin", "ada"),
                   "short name may contain only lowercase letters")


def test_unknown_project_parent_and_admin(forge_admin):
    assert_refused(forge_admin.here("install-tool", "nowhere", "notes", "notes"),
                   "There is no project 'nowhere'")
    assert_refused(forge_admin.here("create-project", "sub", "--parent", "nowhere",
                                    "--admin", "ada"), "There is no project 'nowhere'")
    assert_refused(forge_admin.here("create-project", "other", "--admin", "nobody"),
                   "There is no user 'nobody'")


def test_duplicate_user_and_short_password(forge_admin):
    assert_refused(forge_admin.here("create-user", "ada", "--email", "x@example.test",
                                    "--password-stdin", input=PASSWORD + "\n"),
                   "The username 'ada' is taken.")
    assert_refused(forge_admin.here("create-user", "bob", "--email", "bob@example.test",
                                    "--password-stdin", input="short\n"),
                   "at least 8 characters")


def test_mount_taken_and_wrong_command_line(forge_admin):
    assert forge_admin.here("install-tool", "demo", "notes", "notes").returncode == 0
    assert_refused(forge_admin.here("install-tool", "demo", "notes", "notes"),
                   "The mount point 'notes' is taken")
    assert_refused(forge_admin("create-project", "x"), "Missing option '--admin'", code=2)


def test_embedded_database_port_in_use(run_forge, tmp_path):
    """A port taken by something that is not a database: a clear message."""
    import socket
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        port = blocker.getsockname()[1]
        done = run_forge("admin", "ensure-indexes", "--data-dir", tmp_path,
                         "--db-port", port)
    assert_refused(done, "embedded database server exited at start (port %d in use?)" % port)


def test_serve_on_a_busy_port(run_forge, tmp_path, mongo_url):
    """A clear message, and the one-time admin password is not spent on it."""
    import socket
    env = forge_env(FORGE_MONGODB_URL=mongo_url,
                    MING_MAIN_DATABASE="forge_busy_%s" % uuid.uuid4().hex[:12])
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        port = blocker.getsockname()[1]
        done = run_forge("serve", "--data-dir", tmp_path, "--port", port, env=env)
    assert_refused(done, "Cannot listen on 127.0.0.1:%d" % port)
    assert "password" not in done.stdout
    assert not (tmp_path / "demo-site-created").exists()


def test_prune_bus_over_the_wire(forge_admin):
    """The projects created above left sent-or-not outbox records; pruning with
    a zero retention removes only sent ones (none are sent: no relay ran here)
    and says so; a negative retention is refused with a message."""
    done = forge_admin.here("prune-bus", "--keep-days", "0")
    assert done.returncode == 0, done.stderr
    assert "Removed 0 sent outbox records" in done.stdout
    assert_refused(forge_admin.here("prune-bus", "--keep-days", "-2"), "0 or more", code=2)


def test_reindex_over_the_wire(forge_admin):
    """The search index rebuilt from the database by a separate process, with
    its progress on stderr; an unknown project is a message, not a traceback."""
    done = forge_admin.here("install-tool", "demo", "notes", "indexed-notes")
    assert done.returncode == 0, done.stderr
    done = forge_admin("reindex")
    assert done.returncode == 0, done.stderr
    assert "Indexing tools" in done.stderr and "Traceback" not in done.stderr
    assert "Indexed" in done.stdout and "documents from" in done.stdout
    done = forge_admin.here("reindex", "demo")
    assert done.returncode == 0 and "of demo" in done.stdout, done.stderr
    assert_refused(forge_admin.here("reindex", "no-such-project"), "no-such-project")
