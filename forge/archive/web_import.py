"""``@@admin-import`` (site admins): an archive uploaded from the browser.

``check_upload`` keeps the file under ``<data_dir>/imports`` and checks it at
once, as ``forge import --dry-run`` does; a bad archive raises ``ArchiveError``
naming the record, and nothing is kept. A good one becomes an
``ArchiveImport`` in state ``checked`` whose ``plan`` says what would be
created. ``start_import`` (the admin confirms) emits ``archive.import.requested``;
the ``forge.archive.import`` reactor checks the archive again (the forge may
have changed since), imports it with ``import_archive`` and records its
progress (records written of the total) on the ``ArchiveImport``, as
``@@export`` runs in the worker. The uploaded file is deleted when the import
ends; a checked import nobody confirmed is forgotten after a day.
"""
import datetime
import logging
import os
import shutil
import time

from ..actions import ActionError
from ..model import User
from ..model.session import collection, new_id, utcnow
from ..names import InvalidName, check_shortname
from ..unit_of_work import change
from .importer import import_archive
from .reader import ArchiveError, ArchiveReader
from .validate import USER_MODES, plan_import
from .web import archives_dir
from .web_model import ArchiveImport, ImportRequested

log = logging.getLogger(__name__)
REACTOR_NAME = "forge.archive.import"
KEEP_CHECKED = datetime.timedelta(days=1)
PROGRESS_EVERY_SECONDS = 1.0
MAX_PATH = 200


class NoSuchImport(ActionError):
    status = 404


def imports_dir(registry):
    return archives_dir(registry, "imports")


def upload_path(registry, import_id):
    return os.path.join(imports_dir(registry), "%s.zip" % import_id)


def import_options(as_path="", parent_path="", users="map"):
    """The form's options as ``plan_import`` takes them; ActionError (400) when
    one cannot be a path or a mode."""
    if users not in USER_MODES:
        raise ActionError("People without an account are one of %s." % ", ".join(USER_MODES))
    options = {"users": users}
    for key, value, label in (("as_path", as_path, "The new path"),
                              ("parent_path", parent_path, "The parent project")):
        value = (value or "").strip().strip("/")
        if not value:
            continue
        if len(value) > MAX_PATH:
            raise ActionError("%s is too long." % label)
        try:
            for segment in value.split("/"):
                check_shortname(segment, "project name")
        except InvalidName as error:
            raise ActionError("%s %r: %s" % (label, value, error))
        options[key] = value
    return options


def dry_run(registry, path, options):
    """What importing the archive at ``path`` would create (a dict the page
    shows); ArchiveError if it cannot be imported."""
    with ArchiveReader(path) as reader:
        plan = plan_import(registry, reader, **options)
    created = [user["username"] for user in plan.new_users]
    return {"where": "/%s/%s/" % (plan.neighborhood["name"], plan.new_root_path),
            "source": "/%s/%s/" % (plan.manifest["root"].get("neighborhood") or "p",
                                   plan.manifest["root"]["shortname"]),
            "records": plan.records,
            "counts": {kind: n for kind, n in plan.counts.items() if n},
            "matched": len(plan.users) - len(created), "created": created,
            "skipped": {kind: len(ids) for kind, ids in plan.skipped.items()},
            "warnings": list(plan.warnings)}


def check_upload(registry, user, filename, stream, options):
    """Keep the uploaded archive and check it; return the ``checked`` import.
    A bad archive raises ArchiveError and leaves nothing behind."""
    import_id = new_id()
    path = upload_path(registry, import_id)
    try:
        with open(path, "wb") as target:
            shutil.copyfileobj(stream, target, 1024 * 1024)
        plan = dry_run(registry, path, options)
    except BaseException:
        _unlink(path)
        raise
    document = {"_id": import_id, "user_id": user._id, "filename": (filename or "")[:200],
                "options": options, "plan": plan, "status": "checked", "created": utcnow(),
                "finished": None, "done": 0, "total": plan["records"], "path": "",
                "error": ""}
    collection(ArchiveImport).insert_one(document)
    return document


def start_import(registry, user, import_id):
    """The admin confirms a checked import: the worker takes it from here."""
    doc = ArchiveImport.query.get(_id=import_id, status="checked")
    if doc is None:
        raise NoSuchImport("There is no checked import %r waiting (started already, or "
                           "discarded?)." % str(import_id)[:40])
    with change(registry, ImportRequested, node=doc, actor=user, old={"status": "checked"},
                new={"status": "queued"}, source="web") as unit:
        doc.status = "queued"
        unit.log("site.import", "asked to import the archive %s into %s" % (
            doc.filename or "(unnamed)", doc.plan.get("where")))
    return doc


def discard(registry, import_id):
    """Forget a checked import (and its file)."""
    removed = collection(ArchiveImport).find_one_and_delete({"_id": import_id,
                                                             "status": "checked"})
    if removed is None:
        raise NoSuchImport("There is no checked import %r waiting." % str(import_id)[:40])
    _unlink(upload_path(registry, import_id))


def remove_stale(registry):
    """Checked imports nobody confirmed within a day: their files and records."""
    imports = collection(ArchiveImport)
    before = utcnow() - KEEP_CHECKED
    for doc in imports.find({"status": "checked", "created": {"$lt": before}}):
        _unlink(upload_path(registry, doc["_id"]))
        imports.delete_one({"_id": doc["_id"], "status": "checked"})


def recent_imports(limit=20):
    return list(collection(ArchiveImport).find().sort("created", -1).limit(limit))


def run_import(event, context):
    """The reactor: import the archive the event names, once (a second delivery
    finds it no longer queued)."""
    registry = context.registry
    imports = collection(ArchiveImport)
    claimed = imports.find_one_and_update({"_id": event["node_id"], "status": "queued"},
                                          {"$set": {"status": "running"}})
    if claimed is None:
        return
    path = upload_path(registry, claimed["_id"])
    actor = User.query.get(_id=claimed["user_id"])
    outcome = {}
    try:
        with ArchiveReader(path) as reader:
            plan = plan_import(registry, reader, **claimed["options"])
            imports.update_one({"_id": claimed["_id"]}, {"$set": {"total": plan.records}})
            summary = import_archive(registry, reader, plan, actor=actor,
                                     progress=_Progress(imports, claimed["_id"]))
        outcome = {"status": "done", "done": summary.records,
                   "path": "/%s/%s/" % (plan.neighborhood["name"], summary.path)}
    except ArchiveError as error:      # the forge changed since the dry run, say
        outcome = {"status": "failed", "error": str(error)[:2000]}
    except Exception as error:     # the admin sees it failed; the worker goes on
        log.exception("import %s failed", claimed["_id"])
        outcome = {"status": "failed", "error": ("The import failed (%s); nothing was "
                                                 "kept." % error)[:2000]}
    finally:
        _unlink(path)
        current = imports.find_one({"_id": claimed["_id"]}) or claimed
        imports.replace_one({"_id": claimed["_id"]},
                            dict(current, finished=utcnow(), **outcome))


class _Progress:
    """``import_archive``'s progress callback: records written so far, saved on
    the import at most once a second (the page reads it)."""

    def __init__(self, imports, import_id):
        self.imports = imports
        self.import_id = import_id
        self.per_kind = {}
        self.saved_at = 0.0

    def __call__(self, kind, count):
        self.per_kind[kind] = count
        now = time.monotonic()
        if now - self.saved_at >= PROGRESS_EVERY_SECONDS:
            self.saved_at = now
            self.imports.update_one({"_id": self.import_id},
                                    {"$set": {"done": sum(self.per_kind.values())}})


def _unlink(path):
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
