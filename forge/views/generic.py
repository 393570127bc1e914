"""The pages of every artifact type declared with ``config.add_artifact_type``.

For a tool that holds a declared type (the ``declares_artifacts`` predicate):
its list of top-level artifacts, ``@@new`` and ``@@preview``.  For an artifact
of a declared type (``ITypedArtifact``): the display page, ``@@new`` (types
that nest), ``@@edit``, ``@@preview`` and ``@@delete``; ``@@history``,
``@@diff`` and ``@@revert`` are the ``IVersioned`` pages of ``forge.views``.
A tool replaces one of them by registering a view of the same name for its
own interface, which is more specific than ``ITool`` or ``ITypedArtifact``.
"""
from pyramid.httpexceptions import HTTPNotFound
from pyramid.view import view_config, view_defaults

from ..artifact_actions import create_artifact, delete_artifact, save_artifact
from ..artifact_types import ITypedArtifact
from ..fields import shown_field_values
from ..interfaces import ITool
from ..listing import page_number, readable_page
from ..redirects import redirect
from ..links import link_context
from ..rendering import render_versioned
from .artifact_forms import ArtifactFormView


class TypedFormView(ArtifactFormView):
    """What the tool's and an artifact's generic form pages share."""

    @property
    def kind(self):
        """The ArtifactType of the page: the artifact's, or the one the tool adds."""
        kind = getattr(self.context, "kind_info", None) or \
            self.request.registry.forge_artifact_types.addable_in(self.tool.tool_type.name)
        if kind is None:
            raise HTTPNotFound()
        return kind

    @property
    def noun(self):
        return self.kind.noun

    def form(self, editing=False):
        return self.kind.form(self.request, self.tool, self.kind, editing)

    def prefill(self, form):
        form.fill_defaults()

    def render(self, page):
        """A form page dict rendered with the type's form template."""
        if not isinstance(page, dict):
            return page          # a redirect or a conflict page
        page["kind"] = self.kind
        self.request.override_renderer = self.kind.form_renderer
        return page

    def new_artifact(self, parent_doc):
        request = self.request

        def create(form):
            fields = form.clean()
            # a type without a name field names its artifacts itself (a ticket's number)
            doc = create_artifact(request.registry, self.kind.model, self.context.project.doc,
                                  self.tool.doc, parent_doc, fields.get("name"), fields,
                                  request.user, private=fields.get("private", False),
                                  comment=fields["comment"])
            return (self.kind.message(self.kind.created_message, doc),
                    request.forge_url(self.context, fields.get("name") or doc.name, ""))
        return self.render(self.new_form(self.form(), create))


@view_defaults(context=ITool, declares_artifacts=True)
class TypedToolViews(TypedFormView):

    @view_config(page_cache=True, name="", request_method="GET", permission="read",
                 renderer="forge:templates/artifact/list.jinja2")
    def index(self):
        request, tool, kind = self.request, self.context, self.kind
        query = {"tool_id": tool.doc._id, "deleted": False, "type": kind.name}
        if kind.nested:
            query["parent_path"] = ""
        candidates = kind.model.query.find(query).sort("title", 1)
        page = readable_page(request, candidates, lambda doc: kind.node(doc, tool),
                             page=page_number(request))
        request.override_renderer = kind.list_renderer
        return {"page": page, "kind": kind, "may_create": request.can("create", tool),
                "may_admin": request.can("admin", tool),
                "fields_of": lambda node: shown_field_values(request, tool, node.doc)}

    @view_config(name="new", permission="create", renderer="forge:templates/artifact/form.jinja2")
    def new(self):
        return self.new_artifact(None)

    @view_config(name="preview", request_method="POST", permission="create")
    def preview(self):
        return self.markdown_preview()


@view_defaults(context=ITypedArtifact)
class TypedArtifactViews(TypedFormView):

    @view_config(page_cache=True, name="", request_method="GET", permission="read",
                 renderer="forge:templates/artifact/show.jinja2")
    def show(self):
        request, node, kind = self.request, self.context, self.kind
        doc = node.doc
        text = next((f for f in kind.form.fields if f.widget == "markdown"), None)
        request.override_renderer = kind.display_renderer
        return {"kind": kind, "fields": shown_field_values(request, node.tool_node, doc),
                "html": None if text is None else render_versioned(
                    doc._id, doc.version, getattr(doc, text.name) or "",
                    links=link_context(request, node)),
                "children": [c for c in node.children() if request.can("read", c)],
                "may_create": kind.nested and request.can("create", node),
                "may_update": request.can("update", node),
                "may_admin": request.can("admin", node)}

    @view_config(name="new", permission="create", renderer="forge:templates/artifact/form.jinja2")
    def new(self):
        if not self.kind.nested:
            raise HTTPNotFound()
        return self.new_artifact(self.context.doc)

    @view_config(name="edit", permission="update", renderer="forge:templates/artifact/form.jinja2")
    def edit(self):
        request, form = self.request, self.form(editing=True)
        return self.render(self.edit_form(form, lambda fields, edited_version: save_artifact(
            request.registry, self.context.doc, edited_version, fields, request.user,
            comment=fields["comment"])))

    @view_config(name="delete", request_method="POST", permission="delete")
    def delete(self):
        request, node = self.request, self.context
        delete_artifact(request.registry, node.doc, request.user)
        request.session.flash(self.kind.message(self.kind.deleted_message, node.doc))
        return redirect(request, request.forge_url(node.__parent__))

    @view_config(name="preview", request_method="POST", permission="update")
    def preview(self):
        return self.markdown_preview()
