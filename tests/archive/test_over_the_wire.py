"""``forge export`` and ``forge import`` as separate processes against the
embedded database server (nx-27017): a project leaves one forge (database)
and enters another; a refused import is a message and exit code 1, never a
traceback, and writes nothing."""
import subprocess
import uuid

import pymongo
import pytest

from tests.integration.conftest import COMMAND_TIMEOUT, FORGE, forge_env, mongo_url  # noqa: F401

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def forges(mongo_url, tmp_path_factory):  # noqa: F811  (the imported fixture)
    """``run(forge, *args)`` runs a command on forge "source" or "target" (two
    databases on the session's server); "source" has user ada and project demo
    with a tracker."""
    data_dir = tmp_path_factory.mktemp("archive-cli")
    names = {which: "forge_archive_%s_%s" % (which, uuid.uuid4().hex[:10])
             for which in ("source", "target")}

    def run(which, *args, input=None):
        env = forge_env(FORGE_MONGODB_URL=mongo_url, MING_MAIN_DATABASE=names[which])
        return subprocess.run([FORGE, *map(str, args), "--data-dir", str(data_dir)],
                              input=input, capture_output=True, text=True, env=env,
                              timeout=COMMAND_TIMEOUT)
    for args in (("admin", "create-user", "ada", "--email", "ada@example.test",
                  "--password-stdin"),
                 ("admin", "create-project", "demo", "--admin", "ada"),
                 ("admin", "install-tool", "demo", "tracker", "tickets")):
        done = run("source", *args, input="integration pass 1\n")
        assert done.returncode == 0, done.stderr
    client = pymongo.MongoClient(mongo_url)
    yield run, client[names["target"]], data_dir
    client.close()


def assert_refused(done, message):
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert message in done.stderr
    assert "Traceback" not in done.stdout + done.stderr


def test_export_then_import_into_another_forge(forges):
    run, target, where = forges
    archive = where / "demo.zip"
    done = run("source", "export", "demo", archive)
    assert done.returncode == 0, done.stderr
    assert "Exported /p/demo/ to" in done.stdout

    done = run("target", "import", archive, "--users", "create", "--dry-run")
    assert done.returncode == 0, done.stderr
    assert "Dry run: the archive is valid; nothing was written." in done.stdout
    assert target.project.find_one({"shortname": "demo"}) is None

    done = run("target", "import", archive, "--users", "create")
    assert done.returncode == 0, done.stderr
    assert "Imported /p/demo/" in done.stdout
    project = target.project.find_one({"shortname": "demo"})
    assert target.tool_instance.find_one({"project_id": project["_id"], "tool": "tracker"})
    assert target.user.find_one({"username": "ada"})["email"] == "ada@example.test"
    # the search reactor of a running forge re-indexes it from this event
    assert target.outbox.find_one({"topic": "project.imported"}) is not None

    assert_refused(run("target", "import", archive, "--users", "create"),
                   "A project /p/demo/ exists already")
    cut = where / "cut.zip"
    cut.write_bytes(archive.read_bytes()[:200])
    assert_refused(run("target", "import", cut), "nothing was written")
    assert target.project.count_documents({}) == 1
