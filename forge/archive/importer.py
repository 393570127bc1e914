"""``import_archive``: write what ``plan_import`` checked, under new ids.

Records go in with bulk inserts, kind after kind, in the archive's order,
every id token replaced by its new id (``records.remap``); projects get their
new paths, people the accounts the plan chose. The whole import is one unit
of work: the auditors of ``project.imported`` run before anything is written,
and the event, after it, has the search reactor re-index the projects. A
failure while writing removes what was written.
"""
import os
import tempfile
from dataclasses import dataclass, field

from ..model import Project, ToolInstance
from ..model.cache import note_tree_change
from ..model.session import doc_session
from ..unit_of_work import change
from .batches import BATCH, BatchWriter, duplicate_key
from .events import ProjectImported
from .parts import PartFiles, part_named
from .reader import ArchiveError
from .records import remap
from .validate import records


@dataclass
class ImportSummary:
    root_id: str
    path: str
    counts: dict = field(default_factory=dict)
    users_created: int = 0
    skipped: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)
    ids: dict = field(default_factory=dict)       # old id → new id

    @property
    def records(self):
        return sum(self.counts.values())


def import_archive(registry, reader, plan, actor=None, progress=None):
    summary = ImportSummary(plan.ids[plan.root_id], plan.new_root_path,
                            users_created=len(plan.new_users),
                            skipped={k: len(v) for k, v in plan.skipped.items()},
                            warnings=list(plan.warnings), ids=plan.ids)
    written = _Written(plan)
    with change(registry, ProjectImported, node=None, node_type=Project, actor=actor,
                new={"path": plan.new_root_path, "records": plan.records},
                source="import") as unit:
        try:
            _write_all(registry, reader, plan, summary, written, progress)
        except BaseException as error:
            written.undo()
            note_tree_change()
            key = duplicate_key(error)
            if key is not None:
                raise ArchiveError("A record of the archive conflicts with one of this "
                                   "forge (%s); nothing was written." % (key,))
            raise
        # the records went in by raw bulk writes: every process's tree cache and
        # page cache must see the new projects, tools, roles and people
        note_tree_change()
        unit.node = Project.query.get(_id=summary.root_id)
        unit.log("project.import", "Imported /%s/%s/ from an archive (%d records)" % (
            plan.neighborhood["name"], plan.new_root_path, summary.records))
    return summary


class _Written:
    """What the import wrote so far, to take back if it fails half way: the
    kinds it began to write (their new ids come from the plan's id map, so
    no list of them grows with the archive) and the files."""

    def __init__(self, plan):
        self.plan = plan
        self.kinds = set()
        self.files = []

    def add(self, collection):
        self.kinds.add(collection)

    def undo(self):
        db = doc_session.db
        for collection in self.kinds:
            if collection == "user":
                batch = [u["_id"] for u in self.plan.new_users]
                db.user.delete_many({"_id": {"$in": batch}})
                continue
            batch = []
            for old, kind in self.plan.kind_of.items():
                if kind == collection:
                    batch.append(self.plan.ids.record_id(old))
                if len(batch) >= BATCH:
                    db[collection].delete_many({"_id": {"$in": batch}})
                    batch = []
            if batch:
                db[collection].delete_many({"_id": {"$in": batch}})
        from ..attachments.files import bucket
        files = bucket()
        for file_id in self.files:
            try:
                files.delete(file_id)
            except Exception:       # best effort: the records are what matters
                pass


def _write_all(registry, reader, plan, summary, written, progress):
    db = doc_session.db
    writer = BatchWriter(db)
    try:
        _queue_all(reader, plan, summary, written, progress, writer)
    except BaseException:
        writer.abandon()
        raise
    writer.close()
    _restore_parts(registry, reader, plan)


def _queue_all(reader, plan, summary, written, progress, writer):
    """Every record, remapped, handed to ``writer`` in batches, kind after kind
    (the writer keeps their order: what records name is written before them)."""
    if plan.new_users:
        written.add("user")        # before the write: a failed batch may be half written
        writer.insert("user", plan.new_users)
    dropped = {"role:" + role_id for role_id in plan.dropped_roles}
    family = plan.new_root_path.split("/")[0]
    for kind in plan.kinds:
        skipped = plan.skipped.get(kind.name, ())
        batch, count = [], 0
        for _where, record in records(reader, kind.name):
            if record["_id"] in skipped:
                continue
            if dropped and record.get("acl"):
                record["acl"] = [e for e in record["acl"] if e["principal"] not in dropped]
            new = remap(record, plan.ids)
            if kind.name == "project":
                new["shortname"] = plan.new_path(record["shortname"])
                new["family"] = family
                new["neighborhood_id"] = plan.neighborhood["_id"]
                if record["_id"] == plan.root_id:
                    new["parent_id"] = plan.parent["_id"] if plan.parent else None
            elif kind.name == "tool_instance":
                new["family"] = family
                new["neighborhood_id"] = plan.neighborhood["_id"]
            elif new.get("family_key"):
                # "<neighborhood id>/<family>" (activity): the project tree's new place
                new["family_key"] = "%s/%s" % (plan.neighborhood["_id"], family)
            if kind.name == "attachment":
                _copy_file(reader, record["file_id"], new, written)
            batch.append(new)
            count += 1
            if len(batch) >= BATCH:
                written.add(kind.name)  # before the write: a failed batch may be half written
                writer.insert(kind.name, batch)
                batch = []
                if progress is not None:
                    progress(kind.name, count)
        if batch:
            written.add(kind.name)
            writer.insert(kind.name, batch)
        summary.counts[kind.name] = count
        if progress is not None:
            progress(kind.name, count)


def _copy_file(reader, old_file_id, attachment, written):
    member = "files/%s" % old_file_id
    if not reader.has(member):
        return              # missing at the source already (the manifest says so)
    from ..attachments.files import bucket
    with reader.open(member) as stream:
        bucket().upload_from_stream_with_id(attachment["file_id"],
                                            attachment.get("filename") or "file", stream)
    written.files.append(attachment["file_id"])


def _restore_parts(registry, reader, plan):
    with tempfile.TemporaryDirectory(prefix="forge-import-") as scratch:
        for _where, record in records(reader, "tool_part"):
            part = part_named(registry, record["tool"], record["part"])
            directory = os.path.join(scratch, record["tool_id"], record["part"])
            files = PartFiles(directory)
            for name in record["files"]:
                member = "parts/%s/%s/%s" % (record["tool_id"], record["part"], name)
                with reader.open(member) as source, open(files.path(name), "wb") as target:
                    for chunk in iter(lambda: source.read(1024 * 1024), b""):
                        target.write(chunk)
            tool = ToolInstance.query.get(_id=plan.ids[record["tool_id"]])
            part.restore(registry, tool, remap(record["data"], plan.ids), files)
