"""``/rest/openapi.json``: an OpenAPI 3.1 description of what is registered.

Built from the registry at request time (and kept per registry): the tools
(``add_tool``) are listed in the install body's ``tool`` enum, and every
declared artifact type (``add_artifact_type``) contributes three schemas, as
read, as a create body and as an update body, from its form's fields and the
plugins' extension fields (``forge.rest.declared``).  Custom fields are added
per tool instance at run time, so the description takes any scalar under
``custom`` and the instance's form checks the names.

OpenAPI paths cannot express a tree of any depth: subprojects and nested
artifacts are reached by inserting their segments in the same paths
(``/rest/p/a/b/...``), and answer the same shapes.
"""
from pyramid.security import NO_PERMISSION_REQUIRED
from pyramid.view import view_config

from ..interfaces import ISiteRoot
from .declared import artifact_schema
from .csrf import REST_VIEW
from .nodes import ROUTE
from .openapi_threads import thread_paths, thread_schemas
from .paging import DEFAULT_LIMIT, MAX_LIMIT
from .responses import json_response

SEGMENT = {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$"}


def _ref(name):
    return {"$ref": "#/components/schemas/%s" % name}


def _schema_name(type_name):
    return "".join(part.capitalize() for part in type_name.replace("-", ".").split("."))


def _param(name, description):
    return {"name": name, "in": "path", "required": True, "schema": SEGMENT,
            "description": description}


LIST_PARAMS = [
    {"name": "limit", "in": "query", "required": False,
     "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT,
                "default": DEFAULT_LIMIT}},
    {"name": "cursor", "in": "query", "required": False, "schema": {"type": "string"},
     "description": "The `next` link of the previous page holds it."}]
Q_PARAM = {"name": "q", "in": "query", "required": False, "schema": {"type": "string"},
           "description": "The type's query language; the core's: `label:NAME`, "
                          "`FIELD:VALUE`, `custom.NAME:VALUE`."}
IF_MATCH = {"name": "If-Match", "in": "header", "required": False,
            "schema": {"type": "string"},
            "description": "The ETag of the version edited (required: 428 without it)."}
IF_NONE_MATCH = {"name": "If-None-Match", "in": "header", "required": False,
                 "schema": {"type": "string"}}

ERRORS = {
    "400": "Bad request (malformed JSON, invalid cursor, limit or query)",
    "401": "A token is needed to do that",
    "403": "Signed in, but not allowed to do that",
    "404": "Missing, or not readable by the caller",
    "405": "Method not allowed here",
    "409": "Refused by a rule (a name taken, ...)",
    "412": "If-Match names another version",
    "413": "Body too large",
    "415": "Body is not JSON",
    "422": "Invalid fields",
    "428": "If-Match missing"}
READ_ERRORS = ("400", "401", "404", "405")
WRITE_ERRORS = tuple(ERRORS)


def _responses(success, errors, schema=None, status="200"):
    responses = {}
    if success is not None:
        body = {"description": success}
        if schema is not None:
            body["content"] = {"application/json": {"schema": schema}}
        responses[status] = body
    if status == "200" and "412" not in errors:
        responses["304"] = {"description": "Not modified (If-None-Match)"}
    for code in errors:
        responses[code] = {"$ref": "#/components/responses/Problem%s" % code}
    return responses


def _op(op_id, summary, tag, responses, params=(), body=None):
    op = {"operationId": op_id, "summary": summary, "tags": [tag], "responses": responses}
    if params:
        op["parameters"] = list(params)
    if body is not None:
        op["requestBody"] = {"required": True, "content": {
            "application/json": {"schema": body}}}
    return op


def _any(names):
    refs = [_ref(n) for n in names]
    if not refs:
        return {"type": "object"}
    return refs[0] if len(refs) == 1 else {"anyOf": refs}


def build_document(registry):
    kinds = sorted(registry.forge_artifact_types.values(), key=lambda k: k.name)
    tools = sorted(registry.forge_tools)
    schemas = base_schemas(tools)
    for kind in kinds:
        ext = registry.forge_extensions.fields_for(kind.name)
        name = _schema_name(kind.name)
        schemas[name] = artifact_schema(kind, None, ext)
        schemas[name + "Create"] = artifact_schema(kind, None, ext, editing=False)
        schemas[name + "Update"] = artifact_schema(kind, None, ext, editing=True)
    names = [_schema_name(k.name) for k in kinds]
    addable = [_schema_name(k.name) for k in kinds
               if registry.forge_artifact_types.addable_in(k.tool) is k]
    nested = [_schema_name(k.name) for k in kinds if k.nested]
    artifact = _any(names)
    nb = _param("neighborhood", "`p` for projects, `u` for users' projects")
    project = _param("project", "A project's short name (subprojects: more segments)")
    mount = _param("mount", "A tool's mount point")
    art = _param("artifact", "An artifact's name (nested ones: more segments)")
    tree = "/rest/{neighborhood}/{project}/{mount}/{artifact}"
    paths = {
        "/rest/": {"get": _op("getSite", "The site and its neighborhoods", "tree",
                              _responses("The site", READ_ERRORS, _ref("Site")),
                              [IF_NONE_MATCH])},
        "/rest/{neighborhood}/": {"get": _op(
            "getNeighborhood", "A neighborhood", "tree",
            _responses("The neighborhood", READ_ERRORS, _ref("Neighborhood")),
            [nb, IF_NONE_MATCH])},
        "/rest/{neighborhood}/@@projects": {
            "get": _op("listProjects", "Its top-level projects", "projects",
                       _responses("A page", READ_ERRORS, _page(_ref("Project"))),
                       [nb] + LIST_PARAMS),
            "post": _op("createProject", "Create a project", "projects",
                        _responses("Created", WRITE_ERRORS, _ref("Project"), "201"),
                        [nb], _ref("ProjectCreate"))},
        "/rest/{neighborhood}/{project}/": {
            "get": _op("getProject", "A project", "projects",
                       _responses("The project", READ_ERRORS, _ref("Project")),
                       [nb, project, IF_NONE_MATCH]),
            "patch": _op("updateProject", "Change a project's settings", "projects",
                         _responses("Saved", WRITE_ERRORS, _ref("Project")),
                         [nb, project, IF_MATCH], _ref("ProjectUpdate"))},
        "/rest/{neighborhood}/{project}/@@subprojects": {
            "get": _op("listSubprojects", "Its subprojects", "projects",
                       _responses("A page", READ_ERRORS, _page(_ref("Project"))),
                       [nb, project] + LIST_PARAMS),
            "post": _op("createSubproject", "Create a subproject", "projects",
                        _responses("Created", WRITE_ERRORS, _ref("Project"), "201"),
                        [nb, project], _ref("ProjectCreate"))},
        "/rest/{neighborhood}/{project}/@@tools": {
            "get": _op("listTools", "Its tools", "tools",
                       _responses("A page", READ_ERRORS, _page(_ref("Tool"))),
                       [nb, project] + LIST_PARAMS),
            "post": _op("installTool", "Install a tool", "tools",
                        _responses("Installed", WRITE_ERRORS, _ref("Tool"), "201"),
                        [nb, project], _ref("ToolInstall"))},
        "/rest/{neighborhood}/{project}/{mount}/": {
            "get": _op("getTool", "A tool", "tools",
                       _responses("The tool", READ_ERRORS, _ref("Tool")),
                       [nb, project, mount, IF_NONE_MATCH]),
            "patch": _op("updateTool", "Change a tool's mount point or label", "tools",
                         _responses("Saved", WRITE_ERRORS, _ref("Tool")),
                         [nb, project, mount, IF_MATCH], _ref("ToolUpdate")),
            "delete": _op("uninstallTool", "Uninstall a tool (and its data)", "tools",
                          _responses(None, WRITE_ERRORS) | {"204": {"description": "Gone"}},
                          [nb, project, mount, IF_MATCH])},
        "/rest/{neighborhood}/{project}/{mount}/@@items": {
            "get": _op("listArtifacts", "The tool's top-level artifacts", "artifacts",
                       _responses("A page", READ_ERRORS, _page(artifact)),
                       [nb, project, mount, Q_PARAM] + LIST_PARAMS),
            "post": _op("createArtifact", "Create an artifact", "artifacts",
                        _responses("Created", WRITE_ERRORS, artifact, "201"),
                        [nb, project, mount], _any([n + "Create" for n in addable]))},
        tree + "/": {
            "get": _op("getArtifact", "An artifact", "artifacts",
                       _responses("The artifact", READ_ERRORS, artifact),
                       [nb, project, mount, art, IF_NONE_MATCH]),
            "patch": _op("patchArtifact", "Change some of its fields", "artifacts",
                         _responses("Saved", WRITE_ERRORS, artifact),
                         [nb, project, mount, art, IF_MATCH],
                         _any([n + "Update" for n in names])),
            "put": _op("putArtifact", "Replace its fields", "artifacts",
                       _responses("Saved", WRITE_ERRORS, artifact),
                       [nb, project, mount, art, IF_MATCH],
                       _any([n + "Update" for n in names])),
            "delete": _op("deleteArtifact", "Delete it", "artifacts",
                          _responses(None, WRITE_ERRORS) | {"204": {"description": "Gone"}},
                          [nb, project, mount, art, IF_MATCH])},
        tree + "/@@items": {
            "get": _op("listChildren", "The artifacts under it (types that nest)",
                       "artifacts", _responses("A page", READ_ERRORS, _page(artifact)),
                       [nb, project, mount, art, Q_PARAM] + LIST_PARAMS),
            "post": _op("createChild", "Create an artifact under it", "artifacts",
                        _responses("Created", WRITE_ERRORS, artifact, "201"),
                        [nb, project, mount, art],
                        _any([n + "Create" for n in nested]))},
    }
    paths.update(thread_paths(tree, [nb, project, mount, art], LIST_PARAMS, _op, _responses,
                              _ref, _page, READ_ERRORS, WRITE_ERRORS))
    schemas.update(thread_schemas())
    return {
        "openapi": "3.1.0",
        "info": {"title": "PyForge REST API", "version": "1",
                 "description": "The forge's resource tree as JSON. Authenticate with an "
                                "API token: `Authorization: Bearer pf_...`."},
        "security": [{}, {"token": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}},
            "schemas": schemas,
            "responses": {"Problem" + code: {"description": text, "content": {
                "application/problem+json": {"schema": _ref("Problem")}}}
                for code, text in ERRORS.items()}},
    }


def _page(item):
    return {"type": "object", "required": ["items", "next"], "properties": {
        "items": {"type": "array", "items": item},
        "next": {"type": ["string", "null"]}}}


def base_schemas(tools):
    node = {"kind": {"type": "string"}, "name": {"type": "string"},
            "title": {"type": "string"}, "url": {"type": "string"},
            "html_url": {"type": "string"}}
    return {
        "Problem": {"type": "object", "required": ["type", "title", "status"], "properties": {
            "type": {"type": "string"}, "title": {"type": "string"},
            "status": {"type": "integer"}, "detail": {"type": "string"},
            "errors": {"type": "object", "additionalProperties": {"type": "string"}},
            "current_version": {"type": "integer"}}},
        "Site": {"type": "object", "required": ["kind", "neighborhoods"], "properties": dict(
            node, neighborhoods={"type": "array", "items": _ref("Neighborhood")})},
        "Neighborhood": {"type": "object", "required": ["kind", "name"], "properties": dict(
            node, projects_url={"type": "string"})},
        "Project": {"type": "object", "required": ["kind", "shortname", "version"],
                    "properties": dict(node, shortname={"type": "string"},
                                       description={"type": "string"},
                                       private={"type": "boolean"},
                                       version={"type": "integer"},
                                       tools_url={"type": "string"},
                                       subprojects_url={"type": "string"})},
        "ProjectCreate": {"type": "object", "additionalProperties": False,
                          "required": ["shortname", "title"], "properties": {
                              "shortname": SEGMENT, "title": {"type": "string"},
                              "description": {"type": "string"},
                              "private": {"type": "boolean"}}},
        "ProjectUpdate": {"type": "object", "additionalProperties": False, "properties": {
            "title": {"type": "string"}, "description": {"type": "string"},
            "private": {"type": "boolean"}}},
        "Tool": {"type": "object", "required": ["kind", "tool", "mount", "version"],
                 "properties": dict(node, tool={"type": "string"},
                                    mount={"type": "string"}, label={"type": "string"},
                                    private={"type": "boolean"},
                                    version={"type": "integer"},
                                    artifact_types={"type": "array",
                                                    "items": {"type": "string"}},
                                    custom_fields={"type": "array",
                                                   "items": {"type": "object"}},
                                    items_url={"type": "string"})},
        "ToolInstall": {"type": "object", "additionalProperties": False, "required": ["tool"],
                        "properties": {"tool": dict({"type": "string"},
                                                    **({"enum": tools} if tools else {})),
                                       "mount": SEGMENT, "label": {"type": "string"}}},
        "ToolUpdate": {"type": "object", "additionalProperties": False, "properties": {
            "mount": SEGMENT, "label": {"type": "string"}}},
    }


@view_config(**REST_VIEW, route_name=ROUTE, context=ISiteRoot, name="openapi.json",
             request_method="GET",
             permission=NO_PERMISSION_REQUIRED)
def openapi_json(context, request):
    # built once per registry (what is registered does not change after start-up);
    # the server is this request's, added to a shallow copy (a Host header is the
    # client's: it must not grow a cache)
    registry = request.registry
    document = registry.__dict__.get("forge_rest_openapi")
    if document is None:
        document = registry.__dict__["forge_rest_openapi"] = build_document(registry)
    # the paths start with /rest/: the server is what comes before it (the
    # application, and an embedded forge's mount)
    server = request.route_url(ROUTE, traverse=())[:-len("rest/")].rstrip("/")
    return json_response(request, dict(document, servers=[{"url": server}]))
