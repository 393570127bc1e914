"""The plugin API: ``config.add_tool`` and ``config.extend_artifact``.

A tool is a package with an ``includeme``::

    def includeme(config):
        config.add_tool(
            "notes", title="Notes", resource=NotesTool,
            permissions=("read", "create", "update", "delete", "admin"),
            default_acl=[("allow", "Developer", "update"),
                         ("allow", "Member", "create")])
        config.scan(".views")

Both directives are Pyramid actions with discriminators, so two packages
claiming one tool name (or one extension) are a configuration conflict.
"""
from dataclasses import dataclass
from importlib.metadata import entry_points

from pyramid.settings import aslist

from .fields import FieldSpec
from .page_cache import page_cache_deriver
from .resources.tool import ToolResource

ENTRY_POINT_GROUP = "forge.tools"


@dataclass(frozen=True)
class ToolType:
    name: str
    title: str
    resource: type = ToolResource
    permissions: tuple = ("read", "admin")
    # entries of (access, role name or principal, permission); role names
    # ("Admin", "Developer", "Member") resolve to the project's roles on install
    default_acl: tuple = ()
    description: str = ""
    default_mount: str = ""
    # ``[#12]`` short links go to the first such tool of a project (the tracker)
    hash_links: bool = False
    # link_resolver(request, tool_node, thing) -> href or None, for ``[mount:thing]``
    # (default: ``thing`` as path segments under the tool; see forge.links)
    link_resolver: object = None
    # (permission, what it lets one do) pairs for the permissions page
    # (forge.permission_help has the core's sentences for common names)
    permission_help: tuple = ()


class ToolRegistry(dict):
    """Tool name -> ToolType, kept on the Pyramid registry."""

    def all_permissions(self):
        names = []
        for tool in self.values():
            names.extend(p for p in tool.permissions if p not in names)
        return tuple(names)


class ExtensionRegistry(dict):
    """Artifact type -> {plugin -> [FieldSpec]}: fields stored under ``ext.plugin``."""

    def fields_for(self, artifact_type):
        return self.get(artifact_type, {})


def add_tool(config, name, title=None, resource=ToolResource, permissions=("read", "admin"),
             default_acl=(), description="", default_mount=None, hash_links=False,
             link_resolver=None, permission_help=None):
    """Register a tool type (see the module docstring).  ``hash_links=True``
    makes ``[#12]`` in Markdown link to this tool's ``12``; ``link_resolver``
    maps ``[mount:thing]`` to an href (``forge.links``); ``permission_help``
    ({permission: sentence}) explains the tool's own permissions."""
    if "read" not in permissions or "admin" not in permissions:
        raise ValueError("tool %r must declare the 'read' and 'admin' permissions" % name)
    tool = ToolType(name=name, title=title or name.title(), resource=resource,
                    permissions=tuple(permissions), default_acl=tuple(default_acl),
                    description=description, default_mount=default_mount or name,
                    hash_links=bool(hash_links),
                    link_resolver=config.maybe_dotted(link_resolver),
                    permission_help=tuple(sorted((permission_help or {}).items())))

    def register():
        config.registry.forge_tools[name] = tool

    intr = config.introspectable("forge tools", name, tool.title, "forge tool")
    intr["tool"] = tool
    config.action(("forge.tool", name), register, introspectables=(intr,))


def extend_artifact(config, artifact_type, plugin, fields):
    """Add typed fields to another tool's artifact type, stored under ``ext.plugin``::

        config.extend_artifact("notes.note", "review",
                               [FieldSpec("reviewed", "Reviewed", "boolean")])
    """
    specs = [f if isinstance(f, FieldSpec) else FieldSpec(**f) for f in fields]

    def register():
        config.registry.forge_extensions.setdefault(artifact_type, {})[plugin] = specs

    config.action(("forge.extend_artifact", artifact_type, plugin), register)


def include_tools(config):
    """Include the tools named in ``forge.tools`` and advertised as entry points."""
    settings = config.registry.settings
    names = list(aslist(settings.get("forge.tools", [])) if isinstance(
        settings.get("forge.tools"), str) else settings.get("forge.tools", []))
    if settings.get("forge.load_tool_entry_points", True):
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            if ep.value not in names:
                names.append(ep.value)
    for module in names:
        config.include(module)


def includeme(config):
    config.registry.forge_tools = ToolRegistry()
    config.registry.forge_extensions = ExtensionRegistry()
    config.add_directive("add_tool", add_tool, action_wrap=False)
    config.add_directive("extend_artifact", extend_artifact, action_wrap=False)
    # a tool declares its search types next to itself: the directive comes with add_tool
    config.include("forge.search.directive")
    # config.add_artifact_type (forge.artifact_types): its generic pages are forge.views.generic
    config.include("forge.artifact_types")
    # config.add_mail_handler: a tool takes mail at its address (forge.mail_in)
    config.include("forge.mail_in.handlers")
    # config.add_dashboard_panel: a panel on the signed-in front page (forge.dashboard)
    config.include("forge.dashboard")
    # the view option ``page_cache=True`` (forge.page_cache) is part of the API
    config.add_view_deriver(page_cache_deriver)
