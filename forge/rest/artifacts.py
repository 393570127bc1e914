"""REST views of declared artifact types (``config.add_artifact_type``).

``GET``/``PATCH``/``PUT``/``DELETE`` an artifact; ``GET``/``POST`` the
``@@items`` collection of a tool (its top-level artifacts of the type its
``@@new`` page creates) or of an artifact whose type nests.  Writes are
validated by the type's ``ArtifactForm`` and made by its ``ArtifactActions``,
as the web forms are, so auditors, the audit log, events, versions and the
stale-save check all apply; each is allowed when the matching web page
(``@@new``, ``@@edit``, ``@@delete``) would be (``forge.rest.permissions``).
"""
from pyramid.httpexceptions import HTTPForbidden
from pyramid.view import view_config, view_defaults

from ..artifact_actions import delete_artifact, save_artifact
from ..artifact_types import ITypedArtifact
from ..fields import FieldErrors
from ..interfaces import ITool
from ..model.session import collection
from ..numbered_artifacts import NumberedActions
from ..resources.tool import RawArtifact
from .body import json_body, required_version
from .declared import READ_ONLY, custom_input, field_input, writable_fields
from .csrf import REST_VIEW
from .nodes import ROUTE, artifact_json, artifacts_json
from .paging import SiblingsReadable, batched, cursor_key, cursor_page, page_limit
from .permissions import html_view_allows
from .problems import Problem
from .query import query_filter
from .responses import collection_response, created_response, json_response
from .shapes import stored_document


def fill_form(form, kind, data, editing):
    """Put the JSON members of ``data`` into ``form.values`` as the strings a
    browser would post; FieldErrors (422) for unknown, read-only or mistyped ones."""
    errors = {}
    declared = {f.name: f for f in writable_fields(kind, editing)}
    for key, value in data.items():
        try:
            if key in declared:
                form.values[key] = field_input(declared[key], value)
            elif key == "comment":
                if not isinstance(value, str):
                    raise ValueError("The comment must be a string.")
                form.values[key] = value
            elif key == "private" and "private" in form.values:
                if not isinstance(value, bool):
                    raise ValueError("private must be true or false.")
                form.values[key] = "on" if value else ""
            elif key == "custom":
                _fill_specs(form, form.custom_specs, value, "custom.", errors)
            elif key == "ext":
                if not isinstance(value, dict):
                    raise ValueError("ext must be an object of plugins' fields.")
                for plugin, values in value.items():
                    specs = form.ext_specs.get(plugin)
                    if specs is None:
                        errors["ext." + plugin[:40]] = "Unknown plugin."
                    else:
                        _fill_specs(form, specs, values, "ext.%s." % plugin, errors)
            elif key in READ_ONLY or key in ("name", "private"):
                raise ValueError("This member cannot be set here.")
            else:
                raise ValueError("Unknown field.")
        except ValueError as e:
            errors[key[:60]] = str(e)
    if errors:
        raise FieldErrors(errors)


def _fill_specs(form, specs, values, prefix, errors):
    if not isinstance(values, dict):
        errors[prefix.rstrip(".")] = "Must be an object of field names and values."
        return
    by_name = {s.name: s for s in specs}
    for name, value in values.items():
        spec = by_name.get(name)
        if spec is None:
            errors[(prefix + name)[:60]] = "Unknown field."
            continue
        try:
            form.values[prefix + name] = custom_input(spec, value)
        except ValueError as e:
            errors[prefix + name] = str(e)


def collection_order(kind):
    """(sort field, the cursor key of a stored document): numbered artifacts
    (tickets) in the order of their numbers, the others by path."""
    if isinstance(kind.actions, NumberedActions):
        return "number", lambda raw: str(raw["number"])
    return "path", lambda raw: raw["path"]


def cursor_value(kind, key):
    if not isinstance(kind.actions, NumberedActions):
        return key
    try:
        return int(key)
    except ValueError:
        raise Problem(400, "Invalid cursor", "The cursor is not one this collection gave "
                      "out; start again without it.") from None


class ArtifactCollection:
    """What the ``@@items`` of a tool and of an artifact share."""

    def __init__(self, context, request):
        self.context, self.request = context, request

    def listing(self, kind, tool, query, parent):
        request = self.request
        after = cursor_key(request)
        try:
            narrowed = query_filter(request, kind, tool, request.GET.get("q", ""))
        except ValueError as e:
            raise Problem(400, "Invalid query", str(e)) from None
        if set(narrowed) & set(query):
            # a query narrows the collection; it never widens or replaces it
            raise Problem(400, "Invalid query", "The query names %s, which this collection "
                          "sets itself." % ", ".join(sorted(set(narrowed) & set(query))))
        query.update(narrowed)
        sort_key, key_of_doc = collection_order(kind)

        # stored documents, not Ming objects: a list validates nothing it only shows
        stored = collection(kind.model, bump=False)

        def find_after(key):
            if key is not None:
                query[sort_key] = {"$gt": cursor_value(kind, key)}
            return stored.find(query).sort(sort_key, 1)

        candidates = batched(find_after, after, key_of_doc, page_limit(request) + 1)
        page = cursor_page(request, candidates, lambda raw: kind.node(RawArtifact(raw), parent),
                           lambda node: key_of_doc(stored_document(node)),
                           readable=SiblingsReadable(request))
        return collection_response(request, self.context, "items", page,
                                   artifacts_json(request, page.items))

    def create(self, kind, tool, parent_doc):
        request = self.request
        if not html_view_allows(request, self.context, "new"):
            raise HTTPForbidden()
        data = json_body(request)
        form = kind.form(request, tool, kind, editing=False)
        form.fill_defaults()     # what a new web form starts with (a tracker's assignee)
        fill_form(form, kind, data, editing=False)
        fields = form.clean()
        # a type without a name field names its artifacts itself (a ticket's number)
        doc = kind.actions.create(request.registry, kind, tool.project.doc, tool.doc,
                                  parent_doc, fields.get("name"), fields, request.user,
                                  private=fields.get("private", False),
                                  comment=fields["comment"], source="rest")
        node = tool[doc.path.split("/", 1)[0]]
        for segment in doc.path.split("/")[1:]:
            node = node[segment]
        return created_response(request, artifact_json(request, node), node, doc.version)


@view_defaults(**REST_VIEW, route_name=ROUTE, context=ITool, name="items", declares_artifacts=True)
class ToolItems(ArtifactCollection):

    @property
    def kind(self):
        return self.request.registry.forge_artifact_types.addable_in(
            self.context.tool_type.name)

    @view_config(request_method="GET", permission="read")
    def list(self):
        kind, tool = self.kind, self.context
        query = {"tool_id": tool.doc._id, "deleted": False, "type": kind.name}
        if kind.nested:
            query["parent_path"] = ""
        return self.listing(kind, tool, query, tool)

    @view_config(request_method="POST", permission="read")
    def post(self):
        return self.create(self.kind, self.context, None)


@view_defaults(**REST_VIEW, route_name=ROUTE, context=ITypedArtifact, name="items")
class ArtifactItems(ArtifactCollection):

    @property
    def kind(self):
        kind = self.context.kind_info
        if not kind.nested:
            raise Problem(404, "Not found", "Artifacts of this type hold no others.")
        return kind

    @view_config(request_method="GET", permission="read")
    def list(self):
        kind, node = self.kind, self.context
        query = {"tool_id": node.doc.tool_id, "deleted": False, "type": kind.name,
                 "parent_path": node.doc.path}
        return self.listing(kind, node.tool_node, query, node)

    @view_config(request_method="POST", permission="read")
    def post(self):
        return self.create(self.kind, self.context.tool_node, self.context.doc)


@view_defaults(**REST_VIEW, route_name=ROUTE, context=ITypedArtifact, name="")
class ArtifactViews:

    def __init__(self, context, request):
        self.context, self.request = context, request

    @view_config(request_method="GET", permission="read")
    def show(self):
        node = self.context
        data = artifact_json(self.request, node)
        return json_response(self.request, data, version=data["version"])

    @view_config(request_method=("PUT", "PATCH"), permission="read")
    def update(self):
        request, node = self.request, self.context
        kind, doc = node.kind_info, node.doc
        if not html_view_allows(request, node, "edit"):
            raise HTTPForbidden()
        version = required_version(request, doc.version)
        data = json_body(request)
        form = kind.form(request, node.tool_node, kind, editing=True)
        if request.method == "PATCH":
            form.fill_from(doc)      # members left out keep their values
        fill_form(form, kind, data, editing=True)
        fields = form.clean()
        doc, _changed = save_artifact(request.registry, doc, version, fields, request.user,
                                      comment=fields["comment"])
        node.doc = doc
        return json_response(request, artifact_json(request, node), version=doc.version)

    @view_config(request_method="DELETE", permission="read")
    def delete(self):
        request, node = self.request, self.context
        if not html_view_allows(request, node, "delete"):
            raise HTTPForbidden()
        required_version(request, node.doc.version)
        delete_artifact(request.registry, node.doc, request.user)
        return request.response.__class__(status=204)
