"""The JSON of each kind of node: site, neighborhood, project, tool, artifact.

Links are absolute: ``url`` (the node under ``/rest``), ``html_url`` (its web
page) and the URLs of its collections (``@@projects``, ``@@subprojects``,
``@@tools``, ``@@items``).  An artifact's members come from its type's
declaration (``forge.rest.declared``).
"""
from pyramid.traversal import quote_path_segment, resource_path_tuple

from ..fields import field_specs
from .mount import ROUTE
from .shapes import (UserNames, author_name, fields_json, private_of, shape_of,
                     stored_document)


def rest_url(request, node, *elements, **kw):
    """The node's URL under ``/rest/`` (with a trailing slash), then ``elements``."""
    segments = resource_path_tuple(node)[1:]
    return request.route_url(ROUTE, *elements, traverse=segments + ("",), **kw)


def iso_time(value):
    # milliseconds: what the database keeps, so an answer and a later read agree
    return value.isoformat(timespec="milliseconds") + "Z" if value is not None else None


def base(request, node, kind):
    return {"kind": kind, "name": node.__name__, "title": node.title,
            "url": rest_url(request, node), "html_url": request.forge_url(node)}


def site_json(request, site, neighborhoods):
    data = base(request, site, "site")
    data["neighborhoods"] = [neighborhood_json(request, nb) for nb in neighborhoods]
    return data


def neighborhood_json(request, nb):
    data = base(request, nb, "neighborhood")
    data["projects_url"] = rest_url(request, nb, "@@projects")
    return data


def project_json(request, project):
    doc = project.doc
    data = base(request, project, "project")
    data.update(shortname=doc.shortname, description=doc.description or "",
                private=project.private, version=doc.version or 0,
                tools_url=rest_url(request, project, "@@tools"),
                subprojects_url=rest_url(request, project, "@@subprojects"))
    return data


def tool_json(request, tool):
    doc = tool.doc
    types = [k.name for k in request.registry.forge_artifact_types.values()
             if k.tool == tool.tool_type.name]
    data = base(request, tool, "tool")
    data.update(tool=doc.tool, mount=doc.mount, label=doc.label, private=tool.private,
                version=doc.version or 0, artifact_types=types,
                custom_fields=[s.as_dict() for s in field_specs(doc.custom_fields)])
    if types:
        data["items_url"] = rest_url(request, tool, "@@items")
    return data


def artifact_json(request, node, names=None, form=None, links=None, tools=None):
    """An artifact's JSON from its stored document (``forge.rest.shapes``).  A
    list passes what its items share: ``names`` (``UserNames``), the type's
    ``form`` (made once, and only for a type whose form fills itself),
    ``links`` (``ListLinks``) and ``tools`` ({tool node: whether its artifacts
    take comments})."""
    kind = node.kind_info
    shape = shape_of(request.registry, kind)
    raw = stored_document(node)
    names = names or UserNames(request)
    if links is None:
        data = base(request, node, "artifact")
    else:
        data = {"kind": "artifact", "name": node.__name__, "title": node.title}
        data["url"], data["html_url"] = links.of(node)
    get = shape.get
    data.update(type=kind.name, path=raw.get("path"), version=get(raw, "version"),
                created=iso_time(raw.get("created")), modified=iso_time(raw.get("modified")),
                author=author_name(names, raw.get("author_id")), private=private_of(raw))
    if shape.form_fills and form is None:
        form = kind.form(request, node.tool_node, kind, editing=False)
    data.update(fields_json(request, shape, raw, names, form))
    data["custom"] = dict(get(raw, "custom") or {})
    data["ext"] = {plugin: dict(values or {}) for plugin, values in (get(raw, "ext") or {}).items()}
    if kind.nested:
        data["items_url"] = data["url"] + "@@items"
    if _takes_comments(node, tools):
        data["comments_url"] = data["url"] + "@@comments"
    data["history_url"] = data["url"] + "@@history"
    data["attachments_url"] = data["url"] + "@@attachments"
    return data


def _takes_comments(node, tools):
    if tools is None:
        return "post" in node.permission_names()
    tool = node.tool_node
    if tool not in tools:
        tools[tool] = "post" in node.permission_names()
    return tools[tool]


class ListLinks:
    """The ``url`` and ``html_url`` of the items of one list: their parent's
    two URLs, computed once, and the item's quoted name (a URL computation is
    a lineage walk and a route generation: 50 items made it a tenth of a
    page's time)."""

    def __init__(self, request):
        self.request, self.parents = request, {}

    def of(self, node):
        parent = node.__parent__
        prefixes = self.parents.get(id(parent))
        if prefixes is None:
            prefixes = self.parents[id(parent)] = (
                rest_url(self.request, parent), self.request.forge_url(parent))
        name = quote_path_segment(node.__name__) + "/"
        return prefixes[0] + name, prefixes[1] + name


def artifacts_json(request, nodes):
    if not nodes:
        return []
    names, links, tools, forms = UserNames(request), ListLinks(request), {}, {}
    items = []
    for node in nodes:
        kind = node.kind_info
        form = None
        if shape_of(request.registry, kind).form_fills:
            # one form per tool and type (a tracker's reads the tool's options)
            key = (node.tool_node, kind.name)
            if key not in forms:
                forms[key] = kind.form(request, node.tool_node, kind, editing=False)
            form = forms[key]
        items.append(artifact_json(request, node, names, form, links, tools))
    return items
