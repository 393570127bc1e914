"""JSON Schemas of the archive's records, made from the same Ming fields the
forge stores, plus ``SCHEMA.md``, the page a reader of an archive starts from."""
from ming import schema as S

from .kinds import LEFT_OUT, SAME_KIND, REFERENCES

# draft 7: what fastjsonschema compiles (the import checks every record with it)
DIALECT = "http://json-schema.org/draft-07/schema#"
ID = {"type": "string", "pattern": "^[0-9a-f]{24}$"}
# a reference may be unset: null, or "" where a form stored an empty value
REF = {"anyOf": [ID, {"const": ""}, {"type": "null"}]}
DATE = {"type": "object", "required": ["$date"], "additionalProperties": False,
        # ISO 8601 in UTC without an offset, as pymongo reads BSON dates
        "properties": {"$date": {"type": "string", "pattern":
                                 r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?$"}}}
ACE = {"type": "object", "required": ["access", "principal", "permission"],
       "properties": {"access": {"enum": ["allow", "deny"]},
                      "principal": {"type": "string"}, "permission": {"type": "string"}}}


def nullable(schema):
    return {"anyOf": [schema, {"type": "null"}]}


def item_schema(item):
    """The JSON Schema of one Ming schema item (None allowed: Ming allows it)."""
    if isinstance(item, S.DateTime):
        return nullable(DATE)
    if isinstance(item, S.Bool):
        return {"type": ["boolean", "null"]}
    if isinstance(item, S.Int):
        return {"type": ["integer", "null"]}
    if isinstance(item, S.Float):
        return {"type": ["number", "null"]}
    if isinstance(item, S.String):
        return {"type": ["string", "null"]}
    if isinstance(item, S.Array):
        return {"type": ["array", "null"], "items": item_schema(item.field_type)}
    if isinstance(item, S.Object):
        named = {k: item_schema(v) for k, v in item.fields.items() if isinstance(k, str)}
        if named:
            return {"type": ["object", "null"], "properties": named}
        return {"type": ["object", "null"]}
    return {}


def record_schema(kind):
    properties = {}
    for name, item in sorted(kind.fields.items()):
        schema = item_schema(getattr(item, "schema", item))
        if name in REFERENCES or name in SAME_KIND:
            schema = ({"type": ["array", "null"], "items": ID}
                      if name.endswith("_ids") else REF)
        if name == "acl":
            schema = {"type": ["array", "null"], "items": ACE}
        properties[name] = schema
    properties["_id"] = {"type": "string", "minLength": 1, "maxLength": 200}
    required = ["_id"]
    if kind.scope in ("project", "tool"):
        key = "project_id" if kind.scope == "project" else "tool_id"
        properties[key] = ID
        required.append(key)
    if kind.name == "project":
        properties["shortname"] = {"type": "string", "minLength": 1}
        required.append("shortname")
    if kind.name == "snapshot":
        properties["artifact_id"] = ID
        required.append("artifact_id")
    if kind.name == "attachment":
        properties["file_id"] = {"type": "string", "pattern": "^(?:[0-9a-f]{24}|[0-9a-f]{32})$"}
        required.append("file_id")
    return {"$schema": DIALECT, "title": kind.name, "type": "object",
            "required": required, "properties": properties,
            # polymorphic collections (artifact) hold each tool's own fields too
            "additionalProperties": True}


USER_SCHEMA = {
    "$schema": DIALECT, "title": "user", "type": "object", "additionalProperties": False,
    "required": ["_id", "username"],
    "properties": {"_id": ID, "username": {"type": "string", "minLength": 1, "maxLength": 64},
                   "email": {"type": ["string", "null"], "maxLength": 320},
                   "display_name": {"type": ["string", "null"], "maxLength": 200},
                   "missing": {"type": "boolean"}}}
EXTERNAL_ROLE_SCHEMA = {
    "$schema": DIALECT, "title": "external_role", "type": "object",
    "additionalProperties": False, "required": ["_id", "name"],
    "properties": {"_id": ID, "name": {"type": "string", "minLength": 1},
                   "project": {"type": ["string", "null"]}}}
TOOL_PART_SCHEMA = {
    "$schema": DIALECT, "title": "tool_part", "type": "object", "additionalProperties": False,
    "required": ["_id", "tool_id", "tool", "part", "data", "files"],
    "properties": {"_id": ID, "tool_id": ID, "tool": {"type": "string"},
                   "part": {"type": "string", "pattern": "^[a-z][a-z0-9_]{0,40}$"},
                   "data": {},
                   "files": {"type": "array", "items": {
                       "type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]{0,100}$"}}}}
FIXED_SCHEMAS = {"user": USER_SCHEMA, "external_role": EXTERNAL_ROLE_SCHEMA,
                 "tool_part": TOOL_PART_SCHEMA}


def all_schemas(kinds):
    schemas = {kind.name: record_schema(kind) for kind in kinds}
    schemas.update(FIXED_SCHEMAS)
    return schemas


def schema_page(kinds, format_version):
    """SCHEMA.md: what each member holds and how records refer to each other."""
    lines = [
        "# PyForge project archive, format version %d" % format_version, "",
        "A zip file. `manifest.json` names the format and its version, the forge",
        "version that wrote it, when, the root project, the count of records per",
        "kind and the SHA-256 and size of every other member.", "",
        "- `records/<kind>.jsonl`: one JSON record per line, a stored document as the",
        "  forge keeps it. Dates are `{\"$date\": \"ISO 8601, UTC\"}`.",
        "- `schema/<kind>.schema.json`: the JSON Schema (draft 7) of those records.",
        "- `files/<file id>`: the bytes of an attachment (`attachment.file_id`, 24 or",
        "  32 hex digits).",
        "- `parts/<tool id>/<part>/<file>`: files of a tool's own part (`tool_part`),",
        "  e.g. the code tool's repository as a `git bundle`.", "",
        "Ids are 24 hex digits (event ids 32); every reference is the same string.",
        "Principals in `acl` entries are `role:<project_role id>` and `user:<user id>`.",
        "`user` records carry name, e-mail and display name only (never secrets);",
        "`external_role` records name roles of projects outside the archive that ACLs",
        "inside it grant to (a subproject exported alone).", "",
        "## Kinds", "",
    ]
    for kind in kinds:
        refs = kind.references()
        lines.append("### `%s` (selected per %s)" % (kind.name, kind.scope))
        if kind.types:
            lines.append("Types (`type`): %s." % ", ".join("`%s`" % t for t in kind.types))
        lines.append("Fields: %s." % ", ".join("`%s`" % f for f in sorted(kind.fields)))
        if refs:
            lines.append("References: %s." % ", ".join(
                "`%s` → %s" % (f, k) for f, k in sorted(refs.items())))
        lines.append("")
    lines += ["### `user`, `external_role`, `tool_part`",
              "See their schema files. A tool part is data a tool keeps outside its",
              "records (the tracker's ticket counter, the code tool's repository).", "",
              "## Not exported", ""]
    lines += ["- `%s`: %s" % (name, why) for name, why in sorted(LEFT_OUT.items())]
    return "\n".join(lines) + "\n"
