"""``@@export`` on a project (its admins): an export made in the worker.

Include it with ``config.include("forge.archive.web")`` after ``forge``. A
POST records an ``ArchiveExport`` and emits ``archive.export.requested``; the
``forge.archive.export`` reactor writes ``<exports dir>/<export id>.zip``
(``forge.data_dir``/exports, else a temporary directory); the page lists the
admin's own exports of the project and offers each for a day after it was
made. Only the admin who asked may download it; an expired one is deleted
when the page or the link is next asked for.
"""
import datetime
import logging
import os
import tempfile

from ..model.session import collection, utcnow
from .web_model import ArchiveExport, ExportRequested

log = logging.getLogger(__name__)
REACTOR_NAME = "forge.archive.export"
KEEP = datetime.timedelta(days=1)


def includeme(config):
    from .web_import import REACTOR_NAME as IMPORT_REACTOR, run_import
    from .web_model import ImportRequested
    config.add_reactor(ExportRequested.topic, run_export, name=REACTOR_NAME)
    # the site admin's import page is forge.views.site_admin_import
    config.add_reactor(ImportRequested.topic, run_import, name=IMPORT_REACTOR)
    config.scan(".web_views")


def archives_dir(registry, kind):
    """Where this forge keeps its ``kind`` ("exports", "imports") archives: under
    the data dir, else a temporary directory made once per registry."""
    attribute = "forge_archive_%s_dir" % kind
    directory = getattr(registry, attribute, None)
    if directory is None:
        data_dir = registry.settings.get("forge.data_dir")
        directory = os.path.join(data_dir, kind) if data_dir else tempfile.mkdtemp(
            prefix="forge-%s-" % kind)
        os.makedirs(directory, exist_ok=True)
        setattr(registry, attribute, directory)
    return directory


def exports_dir(registry):
    return archives_dir(registry, "exports")


def archive_path(registry, export_id):
    return os.path.join(exports_dir(registry), "%s.zip" % export_id)


def run_export(event, context):
    """The reactor: make the export the event names, once (a second delivery
    finds it no longer queued)."""
    from . import export_project
    registry = context.registry
    exports = collection(ArchiveExport)
    claimed = exports.find_one_and_update({"_id": event["node_id"], "status": "queued"},
                                          {"$set": {"status": "running"}})
    if claimed is None:
        return
    path = archive_path(registry, claimed["_id"])
    try:
        summary = export_project(registry, claimed["project_id"], path + ".part")
        os.replace(path + ".part", path)
    except Exception as error:     # the admin sees it failed; the worker goes on
        log.exception("export %s failed", claimed["_id"])
        exports.replace_one({"_id": claimed["_id"]}, dict(
            claimed, status="failed", error=str(error)[:500], finished=utcnow()))
        return
    finished = utcnow()
    exports.replace_one({"_id": claimed["_id"]}, dict(
        claimed, status="ready", finished=finished, expires=finished + KEEP,
        records=summary.records))


def remove_expired(registry, project_id, user_id):
    """Delete this admin's expired exports of the project (files and records)."""
    exports = collection(ArchiveExport)
    now = utcnow()
    for doc in exports.find({"project_id": project_id, "user_id": user_id}):
        if doc.get("expires") is not None and doc["expires"] <= now:
            try:
                os.unlink(archive_path(registry, doc["_id"]))
            except FileNotFoundError:
                pass
            exports.delete_one({"_id": doc["_id"]})
