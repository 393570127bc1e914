"""The JSON of each kind of node: site, neighborhood, project, tool, artifact.

Links are absolute: ``url`` (the node under ``/rest``), ``html_url`` (its web
page) and the URLs of its collections (``@@projects``, ``@@subprojects``,
``@@tools``, ``@@items``).  An artifact's members come from its type's
declaration (``forge.rest.declared``).
"""
from pyramid.traversal import quote_path_segment, resource_path_tuple

from ming.odm import state

from ..fields import field_specs
from ..user_lookup import usernames
from .declared import field_value, shown_fields
from .mount import ROUTE


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


def artifact_json(request, node, authors=None, form=None, links=None):
    """A list passes what its items share: ``authors`` ({user id: username},
    looked up at once), the type's ``form`` (made once: a tracker's reads the
    tool's options) and ``links`` (``ListLinks``)."""
    kind, doc = node.kind_info, StoredFields(node.doc)
    if authors is None:
        authors = usernames([doc.author_id])
    if links is None:
        data = base(request, node, "artifact")
    else:
        data = {"kind": "artifact", "name": node.__name__, "title": node.title}
        data["url"], data["html_url"] = links.of(node)
    data.update(type=kind.name, path=doc.path, version=doc.version,
                created=iso_time(doc.created), modified=iso_time(doc.modified),
                author=authors.get(doc.author_id), private=node.private)
    if form is None:
        form = kind.form(request, node.tool_node, kind, editing=False)
    form.fill_from(doc)
    for field in shown_fields(kind):
        data[field.name] = field_value(field, form.values.get(field.name, ""))
    data["custom"] = dict(doc.custom or {})
    data["ext"] = {plugin: dict(values or {}) for plugin, values in (doc.ext or {}).items()}
    if kind.nested:
        data["items_url"] = data["url"] + "@@items"
    if "post" in node.permission_names():
        data["comments_url"] = data["url"] + "@@comments"
    data["history_url"] = data["url"] + "@@history"
    data["attachments_url"] = data["url"] + "@@attachments"
    return data


class StoredFields:
    """A document's fields read from its validated stored dict: reading them
    through the mapped class instruments every list and dict it returns (a
    third of a 50-item page's time); anything not stored (a property of the
    class) is read from the document itself."""

    __slots__ = ("_stored", "_doc")

    def __init__(self, doc):
        self._stored, self._doc = state(doc).document, doc

    def __getattr__(self, name):
        try:
            return self._stored[name]
        except KeyError:
            return getattr(self._doc, name)


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
    authors = usernames(n.doc.author_id for n in nodes)
    kind = nodes[0].kind_info
    form = kind.form(request, nodes[0].tool_node, kind, editing=False)
    links = ListLinks(request)
    return [artifact_json(request, n, authors, form if n.kind_info is kind else None, links)
            for n in nodes]
