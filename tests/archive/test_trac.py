"""``forge import-trac``: a Trac environment (its SQLite database in Trac 1.6's
schema, made here without Trac) converted to an archive in a process of its
own, then imported: wiki pages with their versions, tickets with their
changes and comments, milestones, components as labels, attachments."""
import hashlib
import os
import sqlite3
import subprocess
import sys

import pytest

from forge.archive import ArchiveReader, import_archive, plan_import
from forge.archive.trac import add_trac_import, attachment_path, trac_importers, username_for
from forge.model.session import doc_session
from forge.testing import forge_test_settings
from forge.testing_apps import fresh_app

# the tables the importer reads, as Trac 1.6's trac/db_default.py declares them
SCHEMA = """
CREATE TABLE wiki (name text, version integer, time integer, author text, text text,
                   comment text, readonly integer, UNIQUE (name, version));
CREATE TABLE ticket (id integer PRIMARY KEY, type text, time integer, changetime integer,
                     component text, severity text, priority text, owner text,
                     reporter text, cc text, version text, milestone text, status text,
                     resolution text, summary text, description text, keywords text);
CREATE TABLE ticket_change (ticket integer, time integer, author text, field text,
                            oldvalue text, newvalue text, UNIQUE (ticket, time, field));
CREATE TABLE ticket_custom (ticket integer, name text, value text, UNIQUE (ticket, name));
CREATE TABLE milestone (name text PRIMARY KEY, due integer, completed integer,
                        description text);
CREATE TABLE component (name text PRIMARY KEY, owner text, description text);
CREATE TABLE attachment (type text, id text, filename text, size integer, time integer,
                         description text, author text, UNIQUE (type, id, filename));
"""
DAY = 86400 * 10 ** 6
T0 = 1700000000 * 10 ** 6        # 2023-11-14, in Trac's microseconds


@pytest.fixture(scope="module")
def trac_env(tmp_path_factory):
    env = tmp_path_factory.mktemp("tracenv")
    os.makedirs(env / "db")
    db = sqlite3.connect(str(env / "db" / "trac.db"))
    db.executescript(SCHEMA)
    db.executemany("INSERT INTO wiki VALUES (?, ?, ?, ?, ?, ?, 0)", [
        ("WikiStart", 1, T0, "alice", "= Welcome =\nFirst words.", "created"),
        ("WikiStart", 2, T0 + DAY, "bob@example.org", "= Welcome =\nBetter words.",
         "reworded"),
        ("Guide/Install", 1, T0 + 2 * DAY, "alice", "Run the installer.", ""),
    ])
    db.execute("INSERT INTO ticket VALUES (1, 'defect', ?, ?, 'core', 'major', 'critical', "
               "'bob@example.org', 'alice', '', '', 'm1', 'closed', 'fixed', "
               "'It crashes', 'On start.', 'crash, startup')", (T0, T0 + 3 * DAY))
    db.execute("INSERT INTO ticket VALUES (2, 'task', ?, ?, 'docs', 'minor', 'minor', '', "
               "'carol', '', '', '', 'new', '', 'Write docs', '', '')", (T0, T0))
    db.executemany("INSERT INTO ticket_change VALUES (1, ?, ?, ?, ?, ?)", [
        (T0 + DAY, "bob@example.org", "owner", "", "bob@example.org"),
        (T0 + DAY, "bob@example.org", "status", "new", "assigned"),
        (T0 + DAY, "bob@example.org", "comment", "1", "I can reproduce it."),
        (T0 + 3 * DAY, "bob@example.org", "status", "assigned", "closed"),
        (T0 + 3 * DAY, "bob@example.org", "resolution", "", "fixed"),
        (T0 + 3 * DAY, "bob@example.org", "comment", "2", "Fixed in [42]."),
    ])
    db.execute("INSERT INTO milestone VALUES ('m1', ?, 0, 'The first one')", (T0 + 30 * DAY,))
    db.executemany("INSERT INTO component VALUES (?, '', '')", [("core",), ("docs",)])
    db.execute("INSERT INTO attachment VALUES ('ticket', '1', 'trace.txt', 5, ?, "
               "'the trace', 'alice')", (T0,))
    db.commit()
    db.close()
    path = attachment_path(str(env), "ticket", "1", "trace.txt")
    os.makedirs(os.path.dirname(path))
    with open(path, "wb") as out:
        out.write(b"trace")
    return env


@pytest.fixture(scope="module")
def imported(trac_env, tmp_path_factory):
    archive = tmp_path_factory.mktemp("trac-archive") / "trac.zip"
    done = subprocess.run([sys.executable, "-m", "forge.archive.trac", str(trac_env),
                           "fromtrac", str(archive)], capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr
    registry = fresh_app(forge_test_settings()).registry
    with ArchiveReader(str(archive)) as reader:
        plan = plan_import(registry, reader, users="placeholder")
        import_archive(registry, reader, plan)
    return doc_session.db, doc_session.db.project.find_one({"shortname": "fromtrac"})


def test_the_attachment_path_is_trac_s():
    # Trac 1.x: files/attachments/<type>/<sha1(id)[:3]>/<sha1(id)>/<sha1(name)><ext>
    parent = hashlib.sha1(b"1").hexdigest()
    assert attachment_path("/env", "ticket", "1", "a.txt") == (
        "/env/files/attachments/ticket/%s/%s/%s.txt" % (
            parent[:3], parent, hashlib.sha1(b"a.txt").hexdigest()))


def test_usernames_for_trac_authors():
    taken = {}
    taken["bob@example.org"] = username_for("bob@example.org", taken)
    assert taken["bob@example.org"] == "bob"
    assert username_for("Bob", taken) == "bob-2"
    assert username_for("", {}) == "anonymous"


def test_tools_register_converters_run_by_order_then_name():
    """``add_trac_import`` is a Pyramid action: ordered, and one per tool."""
    from pyramid.config import Configurator
    from pyramid.exceptions import ConfigurationConflictError
    config = Configurator()
    add_trac_import(config, "tracker", dict, order=20)
    add_trac_import(config, "wiki", dict, order=10)
    add_trac_import(config, "notes", dict, order=10)
    config.commit()
    assert [i.tool for i in trac_importers(config.registry)] == ["notes", "wiki", "tracker"]
    add_trac_import(config, "wiki", dict)
    add_trac_import(config, "wiki", list)
    with pytest.raises(ConfigurationConflictError):
        config.commit()


def test_wiki_pages_keep_their_versions_and_times(imported):
    db, project = imported
    assert project is not None
    start = db.artifact.find_one({"project_id": project["_id"], "path": "WikiStart"})
    assert start["text"] == "= Welcome =\nBetter words."
    versions = sorted(db.snapshot.find({"artifact_id": start["_id"]}),
                      key=lambda s: s["version"])
    assert len(versions) == 2
    assert versions[0]["timestamp"].date().isoformat() == "2023-11-14"
    assert versions[1]["timestamp"].date().isoformat() == "2023-11-15"
    assert db.artifact.find_one({"project_id": project["_id"], "path": "Guide/Install"})
    assert db.artifact.find_one({"project_id": project["_id"], "path": "Guide"})


def test_tickets_with_changes_comments_labels_and_milestones(imported):
    db, project = imported
    ticket = db.artifact.find_one({"project_id": project["_id"], "type": "tracker.ticket",
                                   "number": 1})
    assert ticket["title"] == "It crashes"
    assert ticket["status"] == "closed" and ticket["closed"] is True
    assert ticket["priority"] == "critical" and ticket["milestone"] == "m1"
    assert {"core", "defect", "crash", "startup"} <= set(ticket["labels"])
    bob = db.user.find_one({"_id": ticket["assigned_to_id"]})
    assert bob["username"] == "bob"
    assert db.snapshot.count_documents({"artifact_id": ticket["_id"]}) == 3
    thread = db.thread.find_one({"ref_id": ticket["_id"]})
    texts = [p["text"] for p in db.post.find({"thread_id": thread["_id"]})]
    assert sorted(texts) == ["Fixed in [42].", "I can reproduce it."]
    tool = db.tool_instance.find_one({"project_id": project["_id"], "tool": "tracker"})
    assert [m["name"] for m in tool["options"]["milestones"]] == ["m1"]
    assert db.attachment.find_one({"artifact_id": ticket["_id"], "filename": "trace.txt"})


def test_not_a_trac_environment(tmp_path):
    done = subprocess.run([sys.executable, "-m", "forge.archive.trac", str(tmp_path),
                           "x", str(tmp_path / "x.zip")], capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 1
    assert "is not a Trac environment" in done.stderr


def test_the_command(trac_env, tmp_path, monkeypatch):
    """``forge import-trac`` in-process (CliRunner, testing.ini's mim://): a dry
    run writes nothing, then the import; a directory that is no Trac is exit 1."""
    from click.testing import CliRunner

    from forge.cli import main
    from forge.testing import reset_database
    from tests.test_cli_unit import TESTING_INI
    for name in list(os.environ):
        if name.startswith(("FORGE_", "MING_")):
            monkeypatch.delenv(name)
    reset_database({"ming.main.uri": "mim://", "ming.main.database": "forge_test"})

    def forge(*args):
        return CliRunner().invoke(main, [*args, "--config", TESTING_INI, "--data-dir",
                                         str(tmp_path / "data")])
    result = forge("import-trac", str(trac_env), "cli-trac", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Dry run: the archive is valid; nothing was written." in result.output
    assert "Would import /p/cli-trac/" in result.output
    assert doc_session.db.project.find_one({"shortname": "cli-trac"}) is None
    result = forge("import-trac", str(trac_env), "cli-trac")
    assert result.exit_code == 0, result.output
    assert "Imported /p/cli-trac/" in result.output
    assert doc_session.db.project.find_one({"shortname": "cli-trac"}) is not None
    result = forge("import-trac", str(tmp_path), "other")
    assert result.exit_code == 1
    assert "is not a Trac environment" in result.output
    assert "Traceback" not in result.output
