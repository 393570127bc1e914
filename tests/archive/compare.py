"""Reading two archives and comparing them record by record, the first one's
ids translated by the import's map (old id → new id)."""
import json

from forge.archive import ArchiveReader
from forge.archive.records import decode, remap


def read_archive(path):
    """{"manifest": ..., kind: [records], "files": {file id: bytes}}"""
    with ArchiveReader(path) as reader:
        result = {"manifest": reader.manifest}
        for kind in reader.manifest["kinds"]:
            result[kind] = [decode(json.loads(line)) for _n, line in reader.lines(kind)]
        result["files"] = {name[len("files/"):]: reader.zip.read(name)
                           for name in reader.names if name.startswith("files/")}
    return result


def differences(first, second, ids, ignore=lambda kind, record: False):
    """What differs between ``first`` (ids translated) and ``second``: a list
    of readable lines, empty when they hold the same records and files."""
    found = []
    for kind in first["manifest"]["kinds"]:
        if kind == "tool_part":      # its own _id is made at each export
            left = sorted(_part_key(remap(r, ids)) for r in first[kind])
            right = sorted(_part_key(r) for r in second[kind])
            if left != right:
                found.append("tool_part: %r != %r" % (left, right))
            continue
        left = {r["_id"]: r for r in (remap(r, ids) for r in first[kind])
                if not ignore(kind, r)}
        right = {r["_id"]: r for r in second[kind] if not ignore(kind, r)}
        for key in sorted(set(left) | set(right)):
            if left.get(key) != right.get(key):
                found.append("%s %s:\n  before %r\n  after  %r" % (
                    kind, key, left.get(key), right.get(key)))
    files = {ids.get(k, k): v for k, v in first["files"].items()}
    if files != second["files"]:
        found.append("files differ: %s vs %s" % (sorted(files), sorted(second["files"])))
    return found


def _part_key(record):
    return json.dumps([record["tool_id"], record["part"], record["data"], record["files"]],
                      sort_keys=True)
