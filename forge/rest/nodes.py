"""The JSON of each kind of node: site, neighborhood, project, tool, artifact.

Links are absolute: ``url`` (the node under ``/rest``), ``html_url`` (its web
page) and the URLs of its collections (``@@projects``, ``@@subprojects``,
``@@tools``, ``@@items``).  An artifact's members come from its type's
declaration (``forge.rest.declared``).
"""
from pyramid.traversal import resource_path_tuple

from ..fields import field_specs
from ..user_lookup import usernames
from .declared import field_value, shown_fields
from .mount import ROUTE


def rest_url(request, node, *elements, **kw):
    """The node's URL under ``/rest/`` (with a trailing slash), then ``elements``."""
    segments = resource_path_tuple(node)[1:]
    return request.route_url(ROUTE, *elements, traverse=segments + ("",), **kw)


def _iso(value):
    return value.isoformat() + "Z" if value is not None else None


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


def artifact_json(request, node, authors=None):
    """``authors``: {user id: username} when a list has looked them up at once."""
    doc, kind = node.doc, node.kind_info
    if authors is None:
        authors = usernames([doc.author_id])
    data = base(request, node, "artifact")
    data.update(type=kind.name, path=doc.path, version=doc.version,
                created=_iso(doc.created), modified=_iso(doc.modified),
                author=authors.get(doc.author_id), private=node.private)
    form = kind.form(request, node.tool_node, kind, editing=False)
    form.fill_from(doc)
    for field in shown_fields(kind):
        data[field.name] = field_value(field, form.values.get(field.name, ""))
    data["custom"] = dict(doc.custom or {})
    data["ext"] = {plugin: dict(values or {}) for plugin, values in (doc.ext or {}).items()}
    if kind.nested:
        data["items_url"] = rest_url(request, node, "@@items")
    return data


def artifacts_json(request, nodes):
    authors = usernames(n.doc.author_id for n in nodes)
    return [artifact_json(request, n, authors) for n in nodes]
