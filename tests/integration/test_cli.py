"""``forge admin`` as a separate process: refused input gives a message on
stderr and a non-zero exit code, never a traceback."""
import uuid

import pytest

from .conftest import COMMAND_TIMEOUT, FORGE, forge_env

pytestmark = pytest.mark.integration

PASSWORD = "integration pass 1"


def assert_refused(done, message, code=1):
    assert done.returncode == code, (done.stdout, done.stderr)
    assert message in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


@pytest.fixture(scope="module")
def forge_admin(mongo_url, tmp_path_factory):
    """Run ``forge admin ...`` against a database of this module's own on the
    session's server, with a user ``ada`` and a project ``demo``."""
    import subprocess
    env = forge_env(FORGE_MONGODB_URL=mongo_url,
                    MING_MAIN_DATABASE="forge_cli_%s" % uuid.uuid4().hex[:12])
    data_dir = tmp_path_factory.mktemp("cli-data")

    def admin(*args, input=None):
        return subprocess.run([FORGE, "admin", *map(str, args), "--data-dir", str(data_dir)],
                              input=input, capture_output=True, text=True, env=env,
                              timeout=COMMAND_TIMEOUT)
    done = admin("create-user", "ada", "--email", "ada@example.test", "--password-stdin",
                 input=PASSWORD + "\n")
    assert done.returncode == 0, done.stderr
    done = admin("create-project", "demo", "--admin", "ada")
    assert done.returncode == 0, done.stderr
    return admin


def test_unknown_tool(forge_admin):
    assert_refused(forge_admin("install-tool", "demo", "no-such-tool", "x"),
                   "There is no tool named 'no-such-tool'")


def test_duplicate_project(forge_admin):
    assert_refused(forge_admin("create-project", "demo", "--admin", "ada"),
                   "The short name 'demo' is taken.")


def test_bad_project_name(forge_admin):
    assert_refused(forge_admin("create-project", "Bad Name!", "--admin", "ada"),
                   "short name may contain only lowercase letters")


def test_unknown_project_parent_and_admin(forge_admin):
    assert_refused(forge_admin("install-tool", "nowhere", "notes", "notes"),
                   "There is no project 'nowhere'")
    assert_refused(forge_admin("create-project", "sub", "--parent", "nowhere",
                               "--admin", "ada"), "There is no project 'nowhere'")
    assert_refused(forge_admin("create-project", "other", "--admin", "nobody"),
                   "There is no user 'nobody'")


def test_duplicate_user_and_short_password(forge_admin):
    assert_refused(forge_admin("create-user", "ada", "--email", "x@example.test",
                               "--password-stdin", input=PASSWORD + "\n"),
                   "The username 'ada' is taken.")
    assert_refused(forge_admin("create-user", "bob", "--email", "bob@example.test",
                               "--password-stdin", input="short\n"),
                   "at least 8 characters")


def test_mount_taken_and_wrong_command_line(forge_admin):
    assert forge_admin("install-tool", "demo", "notes", "notes").returncode == 0
    assert_refused(forge_admin("install-tool", "demo", "notes", "notes"),
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
    done = forge_admin("prune-bus", "--keep-days", "0")
    assert done.returncode == 0, done.stderr
    assert "Removed 0 sent outbox records" in done.stdout
    assert_refused(forge_admin("prune-bus", "--keep-days", "-2"), "0 or more", code=2)


def test_reindex_over_the_wire(forge_admin):
    """The search index rebuilt from the database by a separate process, with
    its progress on stderr; an unknown project is a message, not a traceback."""
    done = forge_admin("install-tool", "demo", "notes", "indexed-notes")
    assert done.returncode == 0, done.stderr
    done = forge_admin("reindex")
    assert done.returncode == 0, done.stderr
    assert "Indexing tools" in done.stderr and "Traceback" not in done.stderr
    assert "Indexed" in done.stdout and "documents from" in done.stdout
    done = forge_admin("reindex", "demo")
    assert done.returncode == 0 and "of demo" in done.stdout, done.stderr
    assert_refused(forge_admin("reindex", "no-such-project"), "no-such-project")
