"""The project's tool tabs on every page inside a tool (as Allura and GitLab
keep a project's tabs): the tools the reader may read, the current one marked.

The tools come from the project's ``Family``, which traversal loaded to reach
the page (from the tree cache), so the tabs cost no query; ``can`` reads the
ACLs already on those documents and the request's reified principals.
"""
from ..interfaces import INode, ITool
from ..security import can


class ToolTab:
    """One tab: the tool's title, URL and whether the page is inside it."""

    def __init__(self, title, url, current):
        self.title, self.url, self.current = title, url, current


def enclosing_tool(node):
    """The nearest tool at or above ``node``, or None."""
    while node is not None:
        if ITool.providedBy(node):
            return node
        node = node.__parent__
    return None


def tool_tabs(request):
    """The tabs for this page, or [] outside tools and on error pages (whose
    context may be a node the reader may not read)."""
    if getattr(request, "exception", None) is not None:
        return []
    context = getattr(request, "context", None)
    if not INode.providedBy(context):
        return []
    current = enclosing_tool(context)
    project = current.__parent__ if current is not None else None
    if project is None or not hasattr(project, "tools"):
        return []
    principals = request.principals
    return [ToolTab(tool.title, request.forge_url(tool), tool.__name__ == current.__name__)
            for tool in project.tools() if can(tool, principals, "read")]
