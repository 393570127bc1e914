"""Project archives: ``forge export`` and ``forge import`` (issue 15).

``export_project`` writes a project (with its subprojects) to one zip:
``manifest.json``, ``records/<kind>.jsonl``, ``schema/<kind>.schema.json``,
``SCHEMA.md``, attachments under ``files/`` and tools' own parts under
``parts/``. ``plan_import`` checks an archive completely and ``import_archive``
writes it under new ids. Tools take part through ``add_archive_part``.
"""
from .export import ExportSummary, export_project
from .importer import ImportSummary, import_archive
from .parts import add_archive_part
from .reader import ArchiveError, ArchiveReader, Limits
from .validate import ImportPlan, plan_import

__all__ = ["ArchiveError", "ArchiveReader", "ExportSummary", "ImportPlan", "ImportSummary",
           "Limits", "add_archive_part", "export_project", "import_archive", "plan_import"]
