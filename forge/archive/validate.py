"""Checking a whole archive before anything is written: the import's plan.

``plan_import`` reads the archive twice (records, then references) and the
target forge, and returns an ``ImportPlan``: the new id of every record, who
every person becomes, where the projects go. Any problem raises
``ArchiveError`` naming the member, line and record; nothing has been written.
"""
import json
from dataclasses import dataclass, field

import fastjsonschema

from ..model.session import doc_session
from .ids import IdMap
from .kinds import discover_kinds
from .parts import part_named
from .reader import ArchiveError
from .records import decode
from .schema import FIXED_SCHEMAS, all_schemas

# history and bookkeeping that may outlive what they name: such a record
# whose reference is not in the archive is left out (and counted), not refused
SOFT_KINDS = ("activity", "audit_log", "watch")
USER_MODES = ("map", "create", "placeholder")
MAX_ERRORS = 20


@dataclass
class ImportPlan:
    manifest: dict
    kinds: list                          # Kind objects, in write order
    ids: IdMap = field(default_factory=IdMap)          # old id → new id
    counts: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)          # old user id → existing id
    new_users: list = field(default_factory=list)      # user documents to insert
    skipped: dict = field(default_factory=dict)        # kind → ids left out (soft)
    dropped_roles: list = field(default_factory=list)  # outside roles with no match
    neighborhood: dict = None
    root_id: str = None
    old_root_path: str = ""
    new_root_path: str = ""
    parent: dict = None
    warnings: list = field(default_factory=list)

    def new_path(self, shortname):
        return self.new_root_path + shortname[len(self.old_root_path):]

    @property
    def kind_of(self):
        return self.ids.kind_of

    @property
    def records(self):
        return sum(self.counts.values())


class _Errors:
    def __init__(self):
        self.found = []

    def add(self, message):
        self.found.append(message)
        if len(self.found) >= MAX_ERRORS:
            self.stop()

    def stop(self):
        if self.found:
            more = "" if len(self.found) < MAX_ERRORS else "\n(stopped after %d errors)" \
                % MAX_ERRORS
            raise ArchiveError("\n".join(self.found) + more)


def plan_import(registry, reader, as_path=None, parent_path=None, users="map",
                neighborhood=None):
    if users not in USER_MODES:
        raise ArchiveError("--users is one of %s." % ", ".join(USER_MODES))
    reader.verify()
    manifest = reader.manifest
    kinds = {k.name: k for k in discover_kinds()}
    schemas = all_schemas(kinds.values())
    errors = _Errors()
    for name in manifest["kinds"]:
        if name not in kinds and name not in FIXED_SCHEMAS:
            errors.add("The archive holds %r records, which this forge does not keep "
                       "(is the tool installed?)." % name)
    errors.stop()
    plan = ImportPlan(manifest, [kinds[n] for n in manifest["kinds"] if n in kinds])
    plan.root_id = (manifest.get("root") or {}).get("_id")
    # compiled to Python: checking each record costs microseconds, not milliseconds
    validators = {name: fastjsonschema.compile(schemas[name]) for name in manifest["kinds"]}
    _first_pass(registry, reader, plan, validators, errors)
    errors.stop()
    _second_pass(registry, reader, plan, errors)
    errors.stop()
    _place(plan, reader, as_path, parent_path, neighborhood, errors)
    errors.stop()
    _match_users(reader, plan, users, errors)
    _match_outside_roles(reader, plan)
    errors.stop()
    return plan


def records(reader, kind):
    """``(where, record)`` of a kind's member, decoded; ArchiveError if not JSON."""
    for number, line in reader.lines(kind):
        where = "records/%s.jsonl line %d" % (kind, number)
        try:
            yield where, decode(json.loads(line))
        except ValueError as error:
            raise ArchiveError("%s is not a valid record: %s" % (where, error))


def _json_records(reader, kind):
    for number, line in reader.lines(kind):
        where = "records/%s.jsonl line %d" % (kind, number)
        try:
            yield where, json.loads(line)
        except ValueError as error:
            raise ArchiveError("%s is not a valid record: %s" % (where, error))


def _first_pass(registry, reader, plan, validators, errors):
    """Each record against its schema; ids unique in the whole archive."""
    known_types = set(plan.kinds[[k.name for k in plan.kinds].index("artifact")].types) \
        if any(k.name == "artifact" for k in plan.kinds) else set()
    for name in plan.manifest["kinds"]:
        count = 0
        # the record as JSON, not decoded: the schema describes the JSON, and its
        # dates and ids are what this pass reads (the second pass decodes them)
        for where, record in _json_records(reader, name):
            try:
                validators[name](record)
            except fastjsonschema.JsonSchemaValueException as error:
                errors.add("%s (_id %s): %s" % (where, record.get("_id") if isinstance(
                    record, dict) else None, error.message))
                continue
            old = record["_id"]
            if old in plan.kind_of:
                errors.add("%s: duplicate id %s (already a %s record)." % (
                    where, old, plan.kind_of[old]))
                continue
            plan.kind_of[old] = name
            if name == "attachment" and record.get("file_id"):
                plan.kind_of.setdefault(record["file_id"], "file")
            if name == "artifact" and record.get("type") not in known_types:
                errors.add("%s (_id %s): artifact type %r is not known here (is its tool "
                           "installed?)." % (where, old, record.get("type")))
            if name == "tool_instance" and record.get("tool") not in registry.forge_tools:
                errors.add("%s (_id %s): tool %r is not installed here." % (
                    where, old, record.get("tool")))
            count += 1
        expected = plan.manifest["counts"].get(name)
        if expected is not None and expected != count:
            errors.add("records/%s.jsonl holds %d records; the manifest says %d." % (
                name, count, expected))
        plan.counts[name] = count


def _second_pass(registry, reader, plan, errors):
    """Every reference names a record of the archive (of the right kind)."""
    kind_of = plan.kind_of
    targets = {"user": ("user",), "role": ("project_role", "external_role")}
    missing_files = set(plan.manifest.get("missing_files") or ())
    for kind in plan.kinds:
        refs = kind.references()
        soft = kind.name in SOFT_KINDS
        for where, record in records(reader, kind.name):
            problems = []
            for name, target in refs.items():
                values = record.get(name)
                values = values if isinstance(values, list) else [values]
                for value in values:
                    if not value:
                        continue
                    if kind.name == "project" and name == "parent_id" \
                            and record["_id"] == plan.root_id:
                        continue          # the root's parent is outside the archive
                    if kind_of.get(value) != target:
                        problems.append("%s %s names no %s in the archive" % (
                            name, value, target))
            if record.get("node_id") is not None and record["node_id"] not in plan.kind_of:
                problems.append("node_id %s names no record in the archive"
                                % record["node_id"])
            for entry in record.get("acl") or ():
                principal_kind, _, ident = entry["principal"].partition(":")
                if principal_kind in targets and kind_of.get(ident) not in \
                        targets[principal_kind]:
                    problems.append("the ACL principal %s names no %s in the archive" % (
                        entry["principal"], principal_kind))
            if kind.name == "attachment":
                member = "files/%s" % record["file_id"]
                if not reader.has(member) and record["file_id"] not in missing_files:
                    problems.append("its file %s is not in the archive" % member)
            if problems and soft:
                plan.skipped.setdefault(kind.name, set()).add(record["_id"])
            elif problems:
                errors.add("%s (_id %s): %s." % (where, record["_id"], "; ".join(problems)))
    for where, record in records(reader, "tool_part"):
        if kind_of.get(record["tool_id"]) != "tool_instance":
            errors.add("%s: tool_id %s names no tool_instance in the archive." % (
                where, record["tool_id"]))
        elif part_named(registry, record["tool"], record["part"]) is None:
            errors.add("%s: the %s tool keeps no part %r here." % (
                where, record["tool"], record["part"]))
        for name in record["files"]:
            if not reader.has("parts/%s/%s/%s" % (record["tool_id"], record["part"], name)):
                errors.add("%s: its file %s is not in the archive." % (where, name))
    if kind_of.get(plan.root_id) != "project":
        errors.add("The manifest's root project %s is not in records/project.jsonl."
                   % plan.root_id)


def _place(plan, reader, as_path, parent_path, neighborhood, errors):
    """Where the projects go; none of their paths may be taken."""
    from ..names import InvalidName, check_shortname
    db = doc_session.db
    root = plan.manifest["root"]
    nb_name = neighborhood or root.get("neighborhood") or "p"
    plan.neighborhood = db.neighborhood.find_one({"name": nb_name})
    if plan.neighborhood is None:
        errors.add("There is no neighborhood /%s/ here." % nb_name)
        return
    plan.old_root_path = root["shortname"]
    own_name = plan.old_root_path.rsplit("/", 1)[-1]
    if parent_path:
        new_path = parent_path.strip("/") + "/" + (as_path or own_name).strip("/")
    else:
        new_path = (as_path or plan.old_root_path).strip("/")
    try:
        for segment in new_path.split("/"):
            check_shortname(segment, "project name")
    except InvalidName as error:
        errors.add("The new project path %r: %s" % (new_path, error))
        return
    plan.new_root_path = new_path
    if "/" in new_path:
        parent = db.project.find_one({"neighborhood_id": plan.neighborhood["_id"],
                                      "shortname": new_path.rsplit("/", 1)[0]})
        if parent is None or parent.get("deleted"):
            errors.add("There is no project /%s/%s/ to import under." % (
                nb_name, new_path.rsplit("/", 1)[0]))
            return
        plan.parent = parent
    for where, record in records(reader, "project"):
        shortname = record["shortname"]
        if shortname != plan.old_root_path and not shortname.startswith(
                plan.old_root_path + "/"):
            errors.add("%s (_id %s): project %r is not under the root %r." % (
                where, record["_id"], shortname, plan.old_root_path))
            continue
        target = plan.new_path(shortname)
        if db.project.find_one({"neighborhood_id": plan.neighborhood["_id"],
                                "shortname": target}, {"_id": 1}) is not None:
            errors.add("A project /%s/%s/ exists already: import it under another path "
                       "(--as)." % (nb_name, target))


def _match_users(reader, plan, mode, errors):
    """Each person of the archive: an account here (by verified e-mail, else by
    name when the e-mails do not disagree), or, as asked, a new one."""
    db = doc_session.db
    taken = set()
    for where, record in records(reader, "user"):
        existing = None
        if record.get("email"):
            existing = db.user.find_one({"email": record["email"]})
        if existing is None and not record.get("missing"):
            by_name = db.user.find_one({"username": record["username"]})
            if by_name is not None and not (by_name.get("email") and record.get("email")):
                existing = by_name
        if existing is not None:
            plan.users[record["_id"]] = existing["_id"]
            plan.ids.fixed[record["_id"]] = existing["_id"]
            continue
        if mode == "map" and not record.get("missing"):
            errors.add("%s: %s (%s) has no account here; import with --users create or "
                       "--users placeholder." % (where, record["username"],
                                                 record.get("email") or "no e-mail"))
            continue
        new_user_id = plan.ids[record["_id"]]
        username = _free_username(db, record["username"], taken)
        taken.add(username)
        document = {"_id": new_user_id, "username": username,
                    "display_name": record.get("display_name") or "",
                    "password_hash": "", "site_admin": False,
                    # a placeholder only names an author; nobody signs in as it
                    "disabled": mode == "placeholder" or bool(record.get("missing"))}
        if mode == "create" and record.get("email") and \
                db.user.find_one({"email": record["email"]}) is None:
            document["email"] = record["email"]
        plan.new_users.append(document)
        plan.users[record["_id"]] = document["_id"]


def _free_username(db, wanted, taken):
    from ..names import USERNAME
    base = wanted if USERNAME.match(wanted or "") else "imported-user"
    candidate, number = base, 1
    while candidate in taken or db.user.find_one({"username": candidate}, {"_id": 1}):
        number += 1
        candidate = "%s-%d" % (base[:28], number)
    return candidate


def _match_outside_roles(reader, plan):
    """A role of a project outside the archive (a subproject exported alone) is
    the role of that name of the new parent or its ancestors; else the ACL
    entries granting it are dropped (and said)."""
    db = doc_session.db
    lineage = []
    if plan.parent is not None:
        path = plan.parent["shortname"]
        while path:
            project = db.project.find_one({"neighborhood_id": plan.neighborhood["_id"],
                                           "shortname": path})
            if project is not None:
                lineage.append(project["_id"])
            path = path.rpartition("/")[0]
    for where, record in records(reader, "external_role"):
        match = None
        for project_id in lineage:
            match = db.project_role.find_one({"project_id": project_id,
                                              "name": record["name"]})
            if match is not None:
                break
        if match is None:
            plan.dropped_roles.append(record["_id"])
            plan.warnings.append("The ACL entries granting %s (a role of %s, outside the "
                                 "archive) are left out." % (record["name"],
                                                              record.get("project")))
        else:
            plan.ids.fixed[record["_id"]] = match["_id"]
