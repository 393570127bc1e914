"""REST views of the site, neighborhoods, projects (any depth) and tool instances.

Writes call the same actions as the web pages (``create_project``,
``update_project``, ``install_tool``, ``update_tool``, ``uninstall_tool``) and
are allowed when the web page that makes them would be (``@@create``,
``@@create-subproject``, ``@@edit``, ``@@tools``).  A method a node does not
answer is a 405 for those who may read it, a 404 for the others.
"""
from pyramid.httpexceptions import HTTPForbidden
from pyramid.response import Response
from pyramid.view import view_config, view_defaults

from ..actions.projects import (create_project, install_tool, uninstall_tool, update_project,
                                update_tool)
from ..artifact_types import ITypedArtifact
from ..fields import FieldErrors
from ..interfaces import INeighborhood, INode, IProject, ISiteRoot, ITool
from ..model import Neighborhood, Project
from ..resources import ProjectResource
from .body import json_body, required_version
from .csrf import REST_VIEW
from .nodes import ROUTE, neighborhood_json, project_json, site_json, tool_json
from .paging import cursor_key, cursor_page
from .permissions import html_view_allows
from .problems import Problem
from .responses import collection_response, created_response, json_response


TYPE_NAMES = {str: "a string", int: "an integer", bool: "true or false", list: "an array"}


def member_errors(data, spec, required=()):
    """{name: message} of ``data``'s unknown, missing or mistyped members
    against ``spec`` (name -> JSON type)."""
    errors = {}
    for key, value in data.items():
        expected = spec.get(key)
        if expected is None:
            errors[key[:60]] = "Unknown field."
        elif not isinstance(value, expected) or isinstance(value, bool) != (expected is bool):
            errors[key] = "Must be %s." % TYPE_NAMES[expected]
    for key in required:
        if key not in data:
            errors[key] = "Required."
    return errors


def members(data, spec, required=()):
    """``data`` when its members fit ``spec``; FieldErrors (422) otherwise."""
    errors = member_errors(data, spec, required)
    if errors:
        raise FieldErrors(errors)
    return data


def allowed(request, context, page):
    """Let the caller do what the web page ``@@page`` of ``context`` does, or 403/404."""
    if not html_view_allows(request, context, page):
        raise HTTPForbidden()


@view_config(**REST_VIEW, route_name=ROUTE, context=INode, permission="read")
@view_config(**REST_VIEW, route_name=ROUTE, context=INode, name="items", permission="read")
@view_config(**REST_VIEW, route_name=ROUTE, context=INode, name="tools", permission="read")
@view_config(**REST_VIEW, route_name=ROUTE, context=INode, name="subprojects", permission="read")
@view_config(**REST_VIEW, route_name=ROUTE, context=INode, name="projects", permission="read")
@view_config(**REST_VIEW, route_name=ROUTE, context=INode, name="comments", permission="read")
@view_config(**REST_VIEW, route_name=ROUTE, context=INode, name="history", permission="read")
@view_config(**REST_VIEW, route_name=ROUTE, context=INode, name="acl", permission="read")
@view_config(**REST_VIEW, route_name=ROUTE, context=INode, name="attachments", permission="read")
def method_not_allowed(context, request):
    """The views below answer the methods a node has; this one the rest (the
    views with a request_method predicate rank above it)."""
    if request.view_name and not _has_collection(request, context, request.view_name):
        raise Problem(404, "Not found", "There is nothing here, or you may not see it.")
    raise Problem(405, "Method not allowed", "%s is not allowed here." % request.method[:20],
                  headers={"Allow": ", ".join(_methods(context, request.view_name))})


def _methods(context, view_name):
    if view_name == "history":
        return ("GET", "HEAD")
    if view_name:
        return ("GET", "HEAD", "POST")
    if ITypedArtifact.providedBy(context):
        return ("GET", "HEAD", "PUT", "PATCH", "DELETE")
    if ITool.providedBy(context):
        return ("GET", "HEAD", "PATCH", "DELETE")
    if IProject.providedBy(context):
        return ("GET", "HEAD", "PATCH")
    return ("GET", "HEAD")


def _has_collection(request, context, name):
    if name in ("comments", "history", "attachments"):
        return ITypedArtifact.providedBy(context) and (
            name != "comments" or "post" in context.permission_names())
    if name == "acl":
        return request.can("admin", context)
    if name == "items" and ITypedArtifact.providedBy(context):
        return context.kind_info.nested
    if name == "items" and ITool.providedBy(context):
        types = request.registry.forge_artifact_types
        return types.addable_in(context.tool_type.name) is not None
    return ((name == "projects" and INeighborhood.providedBy(context))
            or (name in ("tools", "subprojects") and IProject.providedBy(context)))


@view_config(**REST_VIEW, route_name=ROUTE, context=ISiteRoot, request_method="GET",
             permission="read")
def site(context, request):
    neighborhoods = []
    for doc in Neighborhood.query.find().sort("name", 1):
        try:
            nb = context[doc.name]
        except KeyError:
            continue
        if request.can("read", nb):
            neighborhoods.append(nb)
    return json_response(request, site_json(request, context, neighborhoods))


@view_defaults(**REST_VIEW, route_name=ROUTE, context=INeighborhood)
class NeighborhoodViews:
    def __init__(self, context, request):
        self.context, self.request = context, request

    @view_config(request_method="GET", permission="read")
    def show(self):
        return json_response(self.request, neighborhood_json(self.request, self.context))

    @view_config(name="projects", request_method="GET", permission="read")
    def projects(self):
        request, nb = self.request, self.context
        query = {"neighborhood_id": nb.doc._id, "parent_id": None, "deleted": False}
        after = cursor_key(request)
        if after is not None:
            query["shortname"] = {"$gt": after}
        candidates = Project.query.find(query).sort("shortname", 1)
        # as the neighborhood's page does: a listed project needs no family of its own
        page = cursor_page(request, candidates,
                           lambda doc: ProjectResource(doc, doc.shortname, nb, None),
                           lambda node: node.doc.shortname)
        return collection_response(request, nb, "projects", page,
                                   [project_json(request, p) for p in page.items])

    @view_config(name="projects", request_method="POST", permission="read")
    def create(self):
        request, nb = self.request, self.context
        allowed(request, nb, "create")
        return new_project(request, nb, None)


def new_project(request, nb, parent):
    data = members(json_body(request), {"shortname": str, "title": str, "description": str,
                                        "private": bool}, required=("shortname", "title"))
    doc = create_project(request.registry, nb.doc, data["shortname"].strip(), data["title"],
                         request.user, parent=parent.doc if parent is not None else None,
                         private=data.get("private", False),
                         description=data.get("description", ""), source="rest")
    node = nb
    for segment in doc.shortname.split("/"):
        node = node[segment]
    return created_response(request, project_json(request, node), node, doc.version or 0)


@view_defaults(**REST_VIEW, route_name=ROUTE, context=IProject)
class ProjectViews:
    def __init__(self, context, request):
        self.context, self.request = context, request

    @view_config(request_method="GET", permission="read")
    def show(self):
        return json_response(self.request, project_json(self.request, self.context),
                             version=self.context.doc.version or 0)

    @view_config(request_method="PATCH", permission="read")
    def update(self):
        request, project = self.request, self.context
        allowed(request, project, "edit")
        version = required_version(request, project.doc.version or 0)
        data = members(json_body(request), {"title": str, "description": str,
                                            "private": bool})
        doc = project.doc
        update_project(request.registry, doc, data.get("title", doc.title),
                       data.get("description", doc.description or ""),
                       data.get("private"), request.user, version=version)
        return json_response(request, project_json(request, project),
                             version=doc.version or 0)

    @view_config(name="subprojects", request_method="GET", permission="read")
    def subprojects(self):
        request, project = self.request, self.context
        after = cursor_key(request)
        subprojects = [p for p in project.subprojects()
                       if after is None or p.doc.shortname > after]
        page = cursor_page(request, subprojects, lambda p: p, lambda p: p.doc.shortname)
        return collection_response(request, project, "subprojects", page,
                                   [project_json(request, p) for p in page.items])

    @view_config(name="subprojects", request_method="POST", permission="read")
    def create_subproject(self):
        request, project = self.request, self.context
        allowed(request, project, "create-subproject")
        return new_project(request, project.neighborhood, project)

    @view_config(name="tools", request_method="GET", permission="read")
    def tools(self):
        request, project = self.request, self.context
        tools = project.tools()
        after = cursor_key(request)
        if after is not None:
            mounts = [t.doc.mount for t in tools]
            if after not in mounts:
                raise Problem(400, "Invalid cursor", "The tool this cursor names is gone; "
                              "start again without it.")
            tools = tools[mounts.index(after) + 1:]
        page = cursor_page(request, tools, lambda t: t, lambda t: t.doc.mount)
        return collection_response(request, project, "tools", page,
                                   [tool_json(request, t) for t in page.items])

    @view_config(name="tools", request_method="POST", permission="read")
    def install(self):
        request, project = self.request, self.context
        allowed(request, project, "tools")
        data = members(json_body(request), {"tool": str, "mount": str, "label": str},
                       required=("tool",))
        tool_type = request.registry.forge_tools.get(data["tool"])
        mount = data.get("mount", "").strip() or (tool_type.default_mount if tool_type
                                                  else "")
        doc = install_tool(request.registry, project.doc, data["tool"], mount, request.user,
                           label=data.get("label", "").strip() or None, source="rest")
        node = project.tool(doc)
        return created_response(request, tool_json(request, node), node, doc.version or 0)


@view_defaults(**REST_VIEW, route_name=ROUTE, context=ITool)
class ToolViews:
    def __init__(self, context, request):
        self.context, self.request = context, request

    @view_config(request_method="GET", permission="read")
    def show(self):
        return json_response(self.request, tool_json(self.request, self.context),
                             version=self.context.doc.version or 0)

    @view_config(request_method="PATCH", permission="read")
    def update(self):
        request, tool = self.request, self.context
        project = tool.__parent__
        allowed(request, project, "tools")
        version = required_version(request, tool.doc.version or 0)
        data = members(json_body(request), {"mount": str, "label": str})
        doc = tool.doc
        update_tool(request.registry, project.doc, doc, data.get("mount", doc.mount).strip(),
                    data.get("label", doc.label), request.user, version=version)
        return json_response(request, tool_json(request, tool), version=doc.version or 0)

    @view_config(request_method="DELETE", permission="read")
    def uninstall(self):
        request, tool = self.request, self.context
        project = tool.__parent__
        allowed(request, project, "tools")
        required_version(request, tool.doc.version or 0)
        uninstall_tool(request.registry, project.doc, tool.doc, request.user)
        return Response(status=204)
