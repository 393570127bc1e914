"""A tool's data kept outside its records, in archives: ``add_archive_part``.

Records with ``project_id`` or ``tool_id`` travel without code. A tool that
keeps more (a counter keyed by its tool id, a Git repository on disk)
declares a part in its ``includeme``::

    from forge.api import add_archive_part

    def export_counter(registry, tool_doc, files):
        # return JSON data; write any file to files.path("name") and list it
        return {"last": last_number(TicketCounter, tool_doc._id)}

    def restore_counter(registry, tool_doc, data, files):
        # tool_doc is the imported tool; files.path("name") reads a listed file
        ...

    add_archive_part(config, "tracker", "counter", export_counter, restore_counter)

``export`` returns JSON-able data (or None for nothing to keep); the files it
created under ``files.path(name)`` (names: letters, digits, ``._-``) go into
the archive as ``parts/<tool id>/<part>/<name>``. ``restore`` runs after
every record is written, with the new tool document and the same files.
"""
import os
import re
from dataclasses import dataclass

PART_NAME = re.compile(r"^[a-z][a-z0-9_]{0,40}$")
FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,100}$")


@dataclass(frozen=True)
class ArchivePart:
    tool: str
    name: str
    export: object
    restore: object


class PartFiles:
    """The files of one part in one directory; names are checked, never paths."""

    def __init__(self, directory):
        self.directory = directory

    def path(self, name):
        if not FILE_NAME.match(name or ""):
            raise ValueError("not a part file name: %r" % (name,))
        os.makedirs(self.directory, exist_ok=True)
        return os.path.join(self.directory, name)

    def names(self):
        if not os.path.isdir(self.directory):
            return []
        return sorted(n for n in os.listdir(self.directory) if FILE_NAME.match(n))


def add_archive_part(config, tool, name, export, restore):
    """Declare a part of ``tool``'s data for ``forge export``/``forge import``
    (a Pyramid action: two declarations of one part conflict)."""
    if not PART_NAME.match(name):
        raise ValueError("an archive part name is lower case letters, digits and _")
    part = ArchivePart(tool, name, config.maybe_dotted(export), config.maybe_dotted(restore))

    def register():
        registry = config.registry
        parts = dict(getattr(registry, "forge_archive_parts", {}))
        parts[(tool, name)] = part
        registry.forge_archive_parts = parts

    config.action(("forge.archive_part", tool, name), register,
                  introspectables=())


def parts_of(registry, tool):
    parts = getattr(registry, "forge_archive_parts", {})
    return [part for (tool_name, _), part in sorted(parts.items()) if tool_name == tool]


def part_named(registry, tool, name):
    return getattr(registry, "forge_archive_parts", {}).get((tool, name))
