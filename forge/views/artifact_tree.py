"""The pages of a tree type (``forge.artifact_tree``): a path-typed ``@@new``,
``@@rename``, a subtree's ``@@delete``, the tool's ``@@index``, ``@@deleted``
and ``@@undelete``, and old URLs that redirect.

Who may see a name or a deleted artifact is decided on its stored lineage
(``stored_nodes``): a refused name tells what holds it only to those who may
read the holder.  A tool restyles a page by registering the same name for
its own interface, with its own renderer, calling the method here (its
templates extend ``forge:templates/artifact_tree/*`` and fill ``tree_nav``).
"""
from pyramid.httpexceptions import HTTPNotFound
from pyramid.view import view_config, view_defaults

from ..actions import ActionError
from ..artifact_actions import create_artifact, delete_artifact, undelete_artifact
from ..artifact_tree import (IMovedArtifact, ITreeArtifact, ITreeTool, NameTaken,
                             clean_artifact_path, live_nodes, move_artifact, stored_nodes)
from ..artifact_tree.actions import no_parent
from ..artifact_tree.resources import stored_artifacts
from ..redirects import redirect
from .errors import error_response
from .generic import TypedArtifactViews

TEMPLATES = "forge:templates/artifact_tree/"


def node_url(request, tool, path):
    return request.forge_url(tool, *path.split("/")) + "/"


class TreeViews(TypedArtifactViews):
    """What a tree's tool and artifact pages share."""

    def prefill(self, form):
        super().prefill(form)
        # a link to a missing artifact (a wiki's ``[[Name]]``) asks ``@@new?title=Name``
        if "title" in self.request.GET:
            form.values["name"] = self.request.GET["title"][:1000]

    def check_parent(self, path):
        """ActionError unless the user may create under the parent of ``path``
        (one message for a missing parent and an unreadable one)."""
        parent_path = path.rpartition("/")[0]
        parent = self.tool.node_at(parent_path) if parent_path else self.tool
        if parent is None or not self.request.can("create", parent):
            raise no_parent(self.kind.noun, path)

    def refusal(self, error):
        """A ``NameTaken`` says what holds the name only to those who may read
        it (on its real lineage, deleted or not); everyone else gets one answer."""
        if isinstance(error, NameTaken):
            holder = stored_nodes(self.tool, [error.holder.path])[error.holder.path]
            if holder is not None and self.request.can("read", holder):
                return ActionError(error.precise)
        return error

    def new_in_tree(self):
        """``@@new``: the form's ``name`` is the new path (a ``PathField``)."""
        request, tool, kind = self.request, self.tool, self.kind

        def create(form):
            fields = form.clean()
            self.check_parent(fields["name"])
            try:
                doc = create_artifact(request.registry, kind.model, tool.project.doc, tool.doc,
                                      None, fields["name"], fields, request.user,
                                      private=fields.get("private", False),
                                      comment=fields["comment"])
            except ActionError as error:
                raise self.refusal(error) from None
            return kind.message(kind.created_message, doc), node_url(request, tool, doc.path)
        return self.render(self.new_form(self.form(), create))

    @view_config(name="new", permission="create", context=ITreeTool,
                 renderer="forge:templates/artifact/form.jinja2")
    @view_config(name="new", permission="create", context=ITreeArtifact,
                 renderer="forge:templates/artifact/form.jinja2")
    def new(self):
        return self.new_in_tree()


@view_defaults(context=ITreeArtifact)
class TreeArtifactViews(TreeViews):

    @view_config(name="rename", permission="update", renderer=TEMPLATES + "move.jinja2")
    def move(self):
        """Move the artifact and its sub-artifacts; the old addresses redirect."""
        request, node, kind = self.request, self.context, self.kind
        if request.method != "POST":
            return {"name": node.doc.path, "error": None, "kind": kind}
        old_path, new_path = node.doc.path, request.POST.get("name", "")
        try:
            self.check_parent(clean_artifact_path(new_path, kind.noun))
            moved = move_artifact(request.registry, node.doc, new_path, request.user)
        except ActionError as error:
            request.response.status_int = error.status
            return {"name": new_path, "error": str(self.refusal(error)), "kind": kind}
        request.session.flash("Renamed “%s” to “%s”; the old address leads here." % (
            old_path, moved.path))
        return redirect(request, node_url(request, self.tool, moved.path))

    @view_config(name="delete", request_method="POST", permission="delete")
    def delete(self):
        """Delete the artifact with its live sub-artifacts."""
        request, node, noun = self.request, self.context, self.kind.noun
        gone = delete_artifact(request.registry, node.doc, request.user)
        more = " and its %d sub-%ss" % (len(gone) - 1, noun) if len(gone) > 1 else ""
        request.session.flash("Deleted “%s”%s." % (node.doc.title, more))
        return redirect(request, request.forge_url(self.tool, "@@index"))


@view_config(context=IMovedArtifact, name="", request_method="GET", permission="read")
@view_config(context=IMovedArtifact, name="history", request_method="GET", permission="read")
@view_config(context=IMovedArtifact, name="diff", request_method="GET", permission="read")
@view_config(context=IMovedArtifact, name="version", request_method="GET", permission="read")
@view_config(context=IMovedArtifact, name="edit", request_method="GET", permission="read")
def moved(context, request):
    """A moved artifact's old address (and its history, diff, version and edit
    pages): to the new one, if the viewer may read it."""
    node = context.tool_node.node_at(context.target)
    if node is None or not request.can("read", node):
        raise HTTPNotFound()
    view = request.view_name
    location = request.forge_url(node, "@@" + view) if view else request.forge_url(node)
    return redirect(request, location + ("?" + request.query_string
                                         if request.query_string else ""))


@view_defaults(context=ITreeTool)
class TreeToolViews(TreeViews):

    @view_config(page_cache=True, name="index", request_method="GET", permission="read",
                 renderer=TEMPLATES + "index.jinja2")
    def index(self):
        """Every readable artifact as a tree by path: one query for the whole tool."""
        return {"kind": self.kind, "nodes": [n for n in live_nodes(self.context, self.kind)
                                             if self.request.can("read", n)]}

    @view_config(name="deleted", request_method="GET", permission="delete",
                 renderer=TEMPLATES + "deleted.jinja2")
    def deleted(self):
        """The deleted artifacts this user could read were they not deleted."""
        request, kind = self.request, self.kind
        deleted = stored_artifacts(self.context, kind, True).sort("path", 1).limit(1000)
        paths = [raw["path"] for raw in deleted]
        nodes = stored_nodes(self.context, paths)
        shown = [nodes[p] for p in paths if nodes[p] is not None and request.can("read", nodes[p])]
        return {"kind": kind, "nodes": shown,
                "may_undelete": {n.doc._id for n in shown if request.can("delete", n)}}

    @view_config(name="undelete", request_method="POST", permission="delete")
    def undelete(self):
        """Undelete the artifact whose id is posted as the type's noun (``page=``)."""
        request, tool, kind = self.request, self.context, self.kind
        doc = kind.model.query.get(tool_id=tool.doc._id, _id=request.POST.get(kind.noun, ""))
        node = stored_nodes(tool, [doc.path])[doc.path] if doc is not None else None
        # one answer for a missing artifact and one this user may not see or delete
        if node is None or not request.can("delete", node):
            return error_response(request, 404, "Not found", "There is no such %s." % kind.noun)
        try:
            back = undelete_artifact(request.registry, doc, request.user)
        except ActionError as error:
            return error_response(request, error.status, "Not undeleted", str(error))
        more = " with %d sub-%ss" % (len(back) - 1, kind.noun) if len(back) > 1 else ""
        request.session.flash("Undeleted “%s”%s." % (doc.title, more))
        return redirect(request, node_url(request, tool, doc.path))
