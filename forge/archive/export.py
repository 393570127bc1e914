"""``export_project``: a project (and its subprojects) into one archive file.

Every kind is read with one cursor per project (per tool, per artifact for
snapshots) and written line by line, so memory stays flat whatever the size;
only the ids of the people and outside roles the records name are kept.
"""
import datetime
import importlib.metadata
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field

from gridfs.errors import NoFile

from ..model import Project, ToolInstance
from ..model.session import collection, doc_session, new_id
from .container import FORMAT, FORMAT_VERSION, ArchiveWriter
from .kinds import USER_KEYS, discover_kinds
from .parts import PartFiles, parts_of
from .records import ID_TOKEN, OBJECT_ID, dumps
from .schema import all_schemas, schema_page

BATCH = 500


@dataclass
class ExportSummary:
    path: str
    counts: dict = field(default_factory=dict)
    files: int = 0
    bytes: int = 0
    missing_files: list = field(default_factory=list)

    @property
    def records(self):
        return sum(self.counts.values())


def subtree(root, subprojects=True):
    """The root project's document and, unless not asked for, its subprojects'
    (deleted ones too: the archive keeps what the forge keeps)."""
    projects = collection(Project)
    if not subprojects:
        return [root]
    prefix = root["shortname"] + "/"
    found = [root]
    for doc in projects.find({"neighborhood_id": root["neighborhood_id"],
                              "family": root["family"]}):
        if doc["shortname"].startswith(prefix):
            found.append(doc)
    found.sort(key=lambda d: d["shortname"].count("/"))
    return found


class _Referenced:
    """People and roles the records name, collected while they stream past."""

    def __init__(self):
        self.users = set()
        self.candidates = set()     # ids inside custom and extension fields
        self.roles = set()

    def collect(self, value, key=None, loose=False):
        if isinstance(value, dict):
            for k, v in value.items():
                self.collect(v, k, loose or k in ("custom", "ext", "data", "detail"))
        elif isinstance(value, list):
            for v in value:
                self.collect(v, key, loose)
        elif isinstance(value, str):
            if key in USER_KEYS and OBJECT_ID.match(value):
                self.users.add(value)
            elif key == "principal":
                kind, _, ident = value.partition(":")
                if kind == "user" and OBJECT_ID.match(ident):
                    self.users.add(ident)
                elif kind == "role" and OBJECT_ID.match(ident):
                    self.roles.add(ident)
            elif loose and OBJECT_ID.match(value):
                self.candidates.add(value)


def export_project(registry, root_id, path, subprojects=True, progress=None):
    """Write the archive of project ``root_id`` to ``path``; return an
    ``ExportSummary``. ``progress(kind, records_so_far)`` is called now and then."""
    db = doc_session.db
    root = collection(Project).find_one({"_id": root_id})
    projects = subtree(root, subprojects)
    project_ids = [p["_id"] for p in projects]
    tools = [t for pid in project_ids for t in collection(ToolInstance).find({"project_id": pid})]
    kinds = discover_kinds()
    summary = ExportSummary(path)
    seen = _Referenced()
    exported_roles = set()
    file_ids = []
    writer = ArchiveWriter(path)
    try:
        for kind in kinds:
            count = 0
            with writer.member("records/%s.jsonl" % kind.name) as out:
                for record in _select(db, kind, projects, tools):
                    seen.collect(record)
                    if kind.name == "project_role":
                        exported_roles.add(record["_id"])
                    elif kind.name == "attachment" and record.get("file_id"):
                        file_ids.append(record["file_id"])
                    out.write(dumps(record))
                    count += 1
                    if progress is not None and count % BATCH == 0:
                        progress(kind.name, count)
            summary.counts[kind.name] = count
            if progress is not None:
                progress(kind.name, count)
        _write_files(writer, file_ids, summary, progress)
        summary.counts["tool_part"] = _write_parts(registry, writer, tools)
        summary.counts["user"] = _write_users(db, writer, seen)
        summary.counts["external_role"] = _write_outside_roles(
            db, writer, seen.roles - exported_roles)
        schemas = all_schemas(kinds)
        for name, schema in sorted(schemas.items()):
            with writer.member("schema/%s.schema.json" % name) as out:
                out.write(json.dumps(schema, indent=2, sort_keys=True))
        with writer.member("SCHEMA.md") as out:
            out.write(schema_page(kinds, FORMAT_VERSION))
        writer.finish({
            "format": FORMAT, "format_version": FORMAT_VERSION,
            "forge_version": importlib.metadata.version("pyforge"),
            "exported_at": datetime.datetime.now(datetime.timezone.utc).isoformat(),
            "root": {"_id": root["_id"], "shortname": root["shortname"],
                     "neighborhood": _neighborhood_name(db, root)},
            "subprojects": bool(subprojects),
            "kinds": [k.name for k in kinds] + ["tool_part", "user", "external_role"],
            "counts": summary.counts, "files": summary.files,
            "missing_files": summary.missing_files})
    except BaseException:
        writer.abort()
        if os.path.exists(path):
            os.unlink(path)
        raise
    return summary


def _select(db, kind, projects, tools):
    if kind.scope == "root":
        yield from projects
    elif kind.scope == "project":
        for project in projects:
            yield from db[kind.name].find({"project_id": project["_id"]}, batch_size=BATCH)
    elif kind.scope == "tool":
        for tool in tools:
            yield from db[kind.name].find({"tool_id": tool["_id"]}, batch_size=BATCH)
    elif kind.scope == "artifact":
        for project in projects:
            chunk = []
            for artifact in db.artifact.find({"project_id": project["_id"]}, {"_id": 1},
                                             batch_size=BATCH).sort("_id", 1):
                chunk.append(artifact["_id"])
                if len(chunk) == BATCH:
                    yield from _children(db, kind.name, chunk)
                    chunk = []
            yield from _children(db, kind.name, chunk)


def _children(db, collection, artifact_ids):
    """The records of ``artifact_ids`` (sorted): one indexed range query over
    ``artifact_id`` per chunk instead of a query per artifact (a round trip
    each; ``$in`` scans on the embedded server); records of other artifacts in
    the range are passed over."""
    if not artifact_ids:
        return
    wanted = set(artifact_ids)
    for record in db[collection].find({"artifact_id": {"$gte": artifact_ids[0],
                                                       "$lte": artifact_ids[-1]}},
                                      batch_size=BATCH):
        if record["artifact_id"] in wanted:
            yield record


def _write_files(writer, file_ids, summary, progress):
    from ..attachments.files import bucket
    files = bucket()
    for number, file_id in enumerate(file_ids, 1):
        if not ID_TOKEN.fullmatch(file_id):
            summary.missing_files.append(file_id)
            continue
        try:
            stream = files.open_download_stream(file_id)
        except NoFile:
            summary.missing_files.append(file_id)
            continue
        with stream, writer.member("files/%s" % file_id) as out:
            while True:
                chunk = stream.read(256 * 1024)
                if not chunk:
                    break
                out.write(chunk)
                summary.bytes += len(chunk)
        summary.files += 1
        if progress is not None and number % 50 == 0:
            progress("files", number)


def _write_parts(registry, writer, tools):
    """Each tool's parts: their files first, then one record per part (a few
    per tool: they are kept until the files are in)."""
    found = []
    with tempfile.TemporaryDirectory(prefix="forge-export-") as scratch:
        for tool in tools:
            for part in parts_of(registry, tool["tool"]):
                directory = os.path.join(scratch, tool["_id"], part.name)
                files = PartFiles(directory)
                data = part.export(registry, ToolInstance.query.get(_id=tool["_id"]), files)
                names = files.names()
                if data is None and not names:
                    continue
                for name in names:
                    writer.copy_file("parts/%s/%s/%s" % (tool["_id"], part.name, name),
                                     os.path.join(directory, name))
                shutil.rmtree(directory, ignore_errors=True)
                found.append({"_id": new_id(), "tool_id": tool["_id"], "tool": tool["tool"],
                              "part": part.name, "data": data, "files": names})
    with writer.member("records/tool_part.jsonl") as out:
        for record in found:
            out.write(dumps(record))
    return len(found)


def _write_users(db, writer, seen):
    count = 0
    with writer.member("records/user.jsonl") as out:
        for user_id in sorted(seen.users):
            user = db.user.find_one({"_id": user_id})
            if user is None:
                record = {"_id": user_id, "username": "unknown-" + user_id[-8:],
                          "email": None, "display_name": "", "missing": True}
            else:
                record = {"_id": user_id, "username": user["username"],
                          "email": user.get("email"),
                          "display_name": user.get("display_name") or ""}
            out.write(dumps(record))
            count += 1
        for candidate in sorted(seen.candidates - seen.users):
            user = db.user.find_one({"_id": candidate})
            if user is not None:    # a custom or extension field naming a person
                out.write(dumps({"_id": candidate, "username": user["username"],
                                 "email": user.get("email"),
                                 "display_name": user.get("display_name") or ""}))
                count += 1
    return count


def _write_outside_roles(db, writer, role_ids):
    count = 0
    with writer.member("records/external_role.jsonl") as out:
        for role_id in sorted(role_ids):
            role = db.project_role.find_one({"_id": role_id})
            if role is None:
                continue
            project = db.project.find_one({"_id": role["project_id"]}, {"shortname": 1})
            out.write(dumps({"_id": role_id, "name": role["name"],
                             "project": project["shortname"] if project else None}))
            count += 1
    return count


def _neighborhood_name(db, project):
    nb = db.neighborhood.find_one({"_id": project["neighborhood_id"]})
    return nb["name"] if nb else "p"
