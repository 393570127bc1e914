"""The address of a tree tool with a home artifact (``HomeTreeToolResource``):
the home itself, or an empty state offering ``@@create-home``; ``@@options``
names the home.  A GET never writes, and the empty state is the same whether
an unreadable artifact holds the name or none does."""
from pyramid.view import view_config, view_defaults

from ..actions import ActionError
from ..artifact_actions import create_artifact
from ..artifact_tree import IHomeTreeTool
from ..redirects import redirect
from ..unit_of_work import form_version
from .artifact_tree import TreeViews, node_url
from .errors import error_response

TEMPLATES = "forge:templates/artifact_tree/"


@view_defaults(context=IHomeTreeTool)
class TreeHomeViews(TreeViews):

    @view_config(page_cache=True, name="", request_method="GET", permission="read",
                 renderer=TEMPLATES + "home.jinja2")
    def home(self):
        request, tool = self.request, self.context
        node = tool.node_at(tool.home_name)
        if node is not None and request.can("read", node):
            return redirect(request, request.forge_url(node))
        return {"kind": self.kind, "home": tool.home_name,
                "may_create": request.can("create", tool), "may_admin": request.can("admin", tool)}

    @view_config(name="create-home", request_method="POST", permission="create")
    def create_home(self):
        """Write the home with the tool's welcome text."""
        request, tool, kind = self.request, self.context, self.kind
        name, fields = tool.home_name, {"title": tool.home_name}
        for field in kind.form.fields:            # the welcome goes in the Markdown text
            if field.widget == "markdown":
                fields[field.name] = tool.welcome
                break
        try:
            create_artifact(request.registry, kind.model, tool.project.doc, tool.doc, None, name,
                            fields, request.user,
                            comment="created from the empty %s" % tool.tool_type.name)
        except ActionError as error:
            return error_response(request, error.status, "Not created", str(self.refusal(error)))
        request.session.flash("%s “%s” created." % (kind.noun.capitalize(), name))
        return redirect(request, node_url(request, tool, name))

    @view_config(name="options", permission="admin", renderer=TEMPLATES + "options.jinja2")
    def options(self):
        """The tool's settings: which artifact is its home."""
        request, tool, kind = self.request, self.context, self.kind
        if request.method != "POST":
            return {"kind": kind, "home": tool.home_name, "error": None,
                    "version": tool.doc.version or 0}
        home = request.POST.get("home", "")
        try:
            changed = kind.actions.set_home(request.registry, kind, tool.doc, home, request.user,
                                            version=form_version(request.POST))
        except ActionError as error:
            request.response.status_int = error.status
            # shown again with the version it edited: a stale form stays a 409
            return {"kind": kind, "home": home, "error": str(error),
                    "version": request.POST.get("version", "")}
        request.session.flash("The home %s is now “%s”." % (kind.noun, tool.doc.options["home"])
                              if changed else "Nothing changed.")
        return redirect(request, request.forge_url(tool, "@@options"))
