"""Project admin: the installed tools (``@@tools``).

One page, one URL: every form posts back to ``@@tools`` with an ``action``
field, and a refused change shows the page again with the message and the
status of the refusal (nothing is saved).  Uninstalling takes two steps: the
first POST shows a confirmation form, the second must carry the mount point
typed by the user in ``confirm``.
"""
from pyramid.view import view_config, view_defaults

from ..actions import ActionError
from ..actions.projects import install_tool, reorder_tools, uninstall_tool, update_tool
from ..interfaces import IProject
from ..model import ToolInstance
from ..redirects import redirect
from ..unit_of_work import form_version


@view_defaults(context=IProject, name="tools", permission="admin")
class ToolsAdmin:
    def __init__(self, context, request):
        self.context = context
        self.request = request

    def tool_docs(self):
        return ToolInstance.query.find({"project_id": self.context.doc._id}).sort(
            [("position", 1), ("mount", 1)]).all()

    def tool_doc(self, mount):
        tool = ToolInstance.query.get(project_id=self.context.doc._id, mount=mount or "")
        if tool is None:
            raise ActionError("There is no tool at %r (the list may have changed; reload)."
                              % (mount or "")[:80])
        return tool

    def page(self, error=None, install=None, confirm=None):
        registry = self.request.registry
        tools = []
        for doc in self.tool_docs():
            tool_type = registry.forge_tools.get(doc.tool)
            tools.append({"doc": doc, "type_title": tool_type.title if tool_type else
                          "%s (not loaded)" % doc.tool,
                          "pages": self.tool_pages(doc) if tool_type else ()})
        return {"project": self.context, "tools": tools, "error": error,
                "tool_types": sorted(registry.forge_tools.values(), key=lambda t: t.title),
                "install": install or {"tool": "", "mount": "", "label": ""},
                "confirm": confirm}

    def tool_pages(self, doc):
        """(label, url) of a tool's own admin pages, for its row."""
        registry, request = self.request.registry, self.request
        url = lambda view: request.forge_url(self.context, doc.mount, view)  # noqa: E731
        pages = [("Permissions", url("@@permissions")), ("Webhooks", url("@@webhooks"))]
        if registry.settings.get("forge.mail_in.domain") and (
                doc.tool in registry.forge_mail_handlers
                or doc.tool in registry.forge_mail_comments):
            pages.append(("Mail", url("@@mail-in")))
        return pages

    @view_config(request_method="GET", renderer="forge:templates/project/tools.jinja2")
    def show(self):
        return self.page()

    @view_config(request_method="POST", renderer="forge:templates/project/tools.jinja2")
    def change(self):
        post = self.post = self.request.POST
        action = post.get("action", "")
        handler = {"install": self.install, "update": self.update, "move": self.move,
                   "uninstall": self.uninstall}.get(action)
        install = None
        try:
            if handler is None:
                raise ActionError("Unknown action %r." % action[:40])
            if action == "install":
                install = {k: post.get(k, "").strip() for k in ("tool", "mount", "label")}
            result = handler()
        except ActionError as e:
            self.request.response.status_int = e.status
            return self.page(error=str(e), install=install)
        if isinstance(result, dict):        # the uninstall confirmation step
            return result
        self.request.session.flash(result)
        return redirect(self.request, self.request.forge_url(self.context, "@@tools"))

    def install(self):
        post = self.post
        tool_name = post.get("tool", "").strip()
        tool_type = self.request.registry.forge_tools.get(tool_name)
        mount = post.get("mount", "").strip() or (tool_type.default_mount if tool_type else "")
        tool = install_tool(self.request.registry, self.context.doc, tool_name, mount,
                            self.request.user, label=post.get("label", "").strip() or None)
        return "Installed %s at %s." % (tool.label, tool.mount)

    def update(self):
        post = self.post
        tool = self.tool_doc(post.get("mount"))
        old = tool.mount
        update_tool(self.request.registry, self.context.doc, tool,
                    post.get("new_mount", "").strip(), post.get("label", ""),
                    self.request.user, version=form_version(post))
        return "Saved the tool %s%s." % (
            tool.label, " (now at %s)" % tool.mount if tool.mount != old else "")

    def move(self):
        post = self.post
        tool = self.tool_doc(post.get("mount"))
        mounts = [t.mount for t in self.tool_docs()]
        index = mounts.index(tool.mount)
        target = index + (-1 if post.get("direction") == "up" else 1)
        if not 0 <= target < len(mounts):
            raise ActionError("%s is already at that end of the list." % tool.label)
        mounts[index], mounts[target] = mounts[target], mounts[index]
        reorder_tools(self.request.registry, self.context.doc, mounts, self.request.user)
        return "Moved %s %s." % (tool.label, "up" if target < index else "down")

    def uninstall(self):
        post = self.post
        tool = self.tool_doc(post.get("mount"))
        if "confirm" not in post:
            return self.page(confirm=tool)
        if post.get("confirm", "").strip() != tool.mount:
            self.request.response.status_int = 400
            return dict(self.page(confirm=tool), error=(
                "Type the mount point %r to confirm; the tool was not uninstalled."
                % tool.mount))
        label, mount = tool.label, tool.mount
        uninstall_tool(self.request.registry, self.context.doc, tool, self.request.user)
        return "Uninstalled %s (%s) and everything in it." % (label, mount)
