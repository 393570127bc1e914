"""Damaged and hostile archives: each refused with a message naming what is
wrong, and nothing written. One archive is made per module; each test
imports a changed copy into an empty forge."""
import io
import json
import stat
import zipfile

import pytest

from forge.actions.projects import create_project, install_tool
from forge.actions.users import create_user
from forge.archive import ArchiveError, ArchiveReader, export_project, import_archive, \
    plan_import
from forge.archive.container import MANIFEST
from forge.attachments.actions import attach_files
from forge.discussion.actions import add_post
from forge.model import Neighborhood, session
from forge.model.session import doc_session
from forge.testing import PASSWORD, forge_test_settings
from forge.testing_apps import fresh_app
from tools.tracker.actions import create_ticket
from tools.tracker.model import Ticket

from .world import node

COLLECTIONS = ("project", "tool_instance", "artifact", "snapshot", "post", "thread",
               "attachment", "user", "project_role", "attachments.files")


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    """``proj``: a tracker with a ticket, a comment and an attachment, by ``ada``."""
    registry = fresh_app(forge_test_settings()).registry
    ada = create_user(registry, "ada", "ada@example.test", PASSWORD)
    project = create_project(registry, Neighborhood.query.get(name="p"), "proj", "Proj", ada)
    tracker = install_tool(registry, project, "tracker", "tickets", ada)
    create_ticket(registry, project, tracker, {"title": "One"}, ada)
    session.flush()
    session.close()
    add_post(registry, node(registry, "/p/proj/tickets/1/"), "A comment", ada,
             may_skip_moderation=True)
    session.close()
    attach_files(registry, Ticket.query.get(number=1), [("a.txt", io.BytesIO(b"abc"),
                                                        "text/plain")], ada)
    session.close()
    path = tmp_path_factory.mktemp("bad") / "proj.zip"
    export_project(registry, project._id, str(path))
    return path


def counts():
    db = doc_session.db
    return {name: db[name].count_documents({}) for name in COLLECTIONS}


def try_import(registry, path, **options):
    options.setdefault("users", "create")
    before = counts()
    try:
        with ArchiveReader(str(path)) as reader:
            plan = plan_import(registry, reader, **options)
            import_archive(registry, reader, plan)
    except ArchiveError as error:
        assert counts() == before, "an archive refused wrote something"
        return str(error)
    return None


def changed_copy(source, target, edit=None, add=(), fix_manifest=True):
    """A copy of ``source`` with ``edit(name, data) -> data`` applied to each
    member and ``add`` ([(ZipInfo or name, data)]) appended; the manifest's
    checksums are brought in line with the edits unless ``fix_manifest`` is false."""
    import hashlib
    with zipfile.ZipFile(source) as old:
        manifest = json.loads(old.read(MANIFEST))
        members = [(info.filename, old.read(info)) for info in old.infolist()
                   if info.filename != MANIFEST]
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for name, data in members:
            changed = edit(name, data) if edit else data
            if fix_manifest:
                manifest["members"][name] = {"sha256": hashlib.sha256(changed).hexdigest(),
                                             "size": len(changed)}
            new.writestr(name, changed)
        for info, data in add:
            new.writestr(info, data)
        new.writestr(MANIFEST, json.dumps(manifest))
    return target


def edit_lines(member, change):
    """An ``edit`` that applies ``change(records) -> records`` to one member."""
    def edit(name, data):
        if name != member:
            return data
        records = [json.loads(line) for line in data.decode().splitlines() if line]
        return "".join(json.dumps(r) + "\n" for r in change(records)).encode()
    return edit


def test_the_intact_archive_imports(registry, archive):
    assert try_import(registry, archive) is None
    assert doc_session.db.project.find_one({"shortname": "proj"}) is not None


def test_truncated_archive(registry, archive, tmp_path):
    cut = tmp_path / "cut.zip"
    cut.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    assert "truncated or not a zip" in try_import(registry, cut)


def test_wrong_format_version(registry, archive, tmp_path):
    with zipfile.ZipFile(archive) as old:
        manifest = json.loads(old.read(MANIFEST))
    manifest["format_version"] = 99
    target = tmp_path / "v99.zip"
    _rewrite_manifest(archive, target, manifest)
    assert "format version is 99" in try_import(registry, target)


def _rewrite_manifest(source, target, manifest):
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            if info.filename != MANIFEST:
                new.writestr(info.filename, old.read(info))
        new.writestr(MANIFEST, json.dumps(manifest))


def test_checksum_mismatch(registry, archive, tmp_path):
    def retitle(records):
        for record in records:
            record["title"] = "Changed on the way"
        return records
    target = changed_copy(archive, tmp_path / "sum.zip",
                          edit_lines("records/artifact.jsonl", retitle), fix_manifest=False)
    assert "Checksum mismatch in 'records/artifact.jsonl'" in try_import(registry, target)


def test_duplicate_ids(registry, archive, tmp_path):
    target = changed_copy(archive, tmp_path / "dup.zip",
                          edit_lines("records/snapshot.jsonl", lambda rs: rs + rs[:1]))
    message = try_import(registry, target)
    assert "records/snapshot.jsonl line 2" in message and "duplicate id" in message


def test_dangling_reference(registry, archive, tmp_path):
    def orphan(records):
        records[0]["thread_id"] = "0123456789abcdef01234567"
        return records
    target = changed_copy(archive, tmp_path / "orphan.zip",
                          edit_lines("records/post.jsonl", orphan))
    message = try_import(registry, target)
    assert "records/post.jsonl line 1" in message
    assert "thread_id 0123456789abcdef01234567 names no thread" in message


def test_record_against_its_schema(registry, archive, tmp_path):
    def bad_title(records):
        records[0]["title"] = 5
        return records
    target = changed_copy(archive, tmp_path / "schema.zip",
                          edit_lines("records/project.jsonl", bad_title))
    message = try_import(registry, target)
    assert "records/project.jsonl line 1" in message and "title" in message


@pytest.mark.parametrize("name", ["../../etc/passwd", "/etc/passwd", "files/../x",
                                  "records\\..\\x.jsonl"])
def test_unsafe_member_names(registry, archive, tmp_path, name):
    target = changed_copy(archive, tmp_path / "unsafe.zip", add=[(name, b"root:x:0:0")])
    assert "Unsafe or unexpected member name" in try_import(registry, target)


def test_symlink_member(registry, archive, tmp_path):
    info = zipfile.ZipInfo("files/0123456789abcdef01234567")
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    target = changed_copy(archive, tmp_path / "link.zip", add=[(info, b"/etc/passwd")])
    assert "not a regular file" in try_import(registry, target)


def test_zip_bomb(registry, archive, tmp_path):
    target = changed_copy(archive, tmp_path / "bomb.zip",
                          add=[("files/0123456789abcdef01234567", bytes(20 * 1024 * 1024))])
    assert "zip bomb" in try_import(registry, target)


def test_import_onto_an_existing_path(registry, archive):
    assert try_import(registry, archive) is None
    assert "A project /p/proj/ exists already" in try_import(registry, archive)
    assert try_import(registry, archive, as_path="proj-copy") is None


def test_unknown_people_refused_in_map_mode(registry, archive):
    message = try_import(registry, archive, users="map")
    assert "records/user.jsonl line 1: ada (ada@example.test) has no account here" in message


def test_a_failure_while_writing_takes_back_what_was_written(registry, archive, monkeypatch):
    from pymongo.errors import DuplicateKeyError

    from forge.archive import batches
    insert = batches.insert_batch

    def failing_insert(db, collection, batch, transactions):
        if collection == "post":        # after projects, tools, tickets, snapshots, users
            raise DuplicateKeyError("E11000 duplicate key", details={"keyValue": {"x": 1}})
        insert(db, collection, batch, transactions)
    monkeypatch.setattr(batches.BatchWriter.__init__, "__defaults__", (failing_insert,))
    assert "conflicts with one of this forge" in try_import(registry, archive)


def test_total_size_bound(registry, archive):
    from forge.archive import Limits
    with pytest.raises(ArchiveError, match="over the limit of 1000"):
        ArchiveReader(str(archive), Limits(max_total_bytes=1000))
