"""Pages of the notes tool: the tool's list, a note, and the forms.

Registered for ``INotesTool`` and ``INote`` only, so they never answer for
another tool.  Forms re-render with the user's input and a 4xx status when
refused; a stale save is a 409 that shows what changed meanwhile.
"""
from pyramid.httpexceptions import HTTPFound
from pyramid.response import Response
from pyramid.view import view_config, view_defaults

from forge.actions import ActionError
from forge.actions.versions import StaleSave
from forge.fields import FieldErrors, shown_field_values
from forge.rendering import render_markdown, render_versioned
from forge.views.listing import page_number, readable_page
from forge.views.versions import conflict_response

from .actions import create_note, delete_note, update_note
from .forms import NoteForm
from .model import Note
from .resources import INote, INotesTool

MAX_PREVIEW = 256 * 1024


def readable_children(request, note):
    return [child for child in note.children() if request.can("read", child)]


class NoteFormView:
    """What the tool's and a note's ``@@new`` share."""

    def __init__(self, context, request):
        self.context = context
        self.request = request

    @property
    def tool(self):
        return self.context.tool_node

    def form_page(self, form, action, status=200, error=None, **extra):
        self.request.response.status_int = status
        page = {"form": form, "action": action, "error": error,
                "preview_url": self.request.forge_url(self.tool, "@@preview")}
        page.update(extra)
        return page

    def new_note(self, parent_doc):
        request = self.request
        form = NoteForm(request, self.tool)
        if request.method != "POST":
            return self.form_page(form, "new")
        form.read(request.POST)
        try:
            fields = form.clean(with_name=True)
            note = create_note(request.registry, self.context.project.doc, self.tool.doc,
                               parent_doc, fields["name"], fields, request.user,
                               private=form.private, comment=form.values["comment"].strip())
        except FieldErrors:
            return self.form_page(form, "new", status=400,
                                  error="The note was not saved; see the messages below.")
        except ActionError as error:
            return self.form_page(form, "new", status=error.status, error=str(error))
        request.session.flash("Note “%s” created." % note.title)
        return HTTPFound(location=request.forge_url(self.context, fields["name"], ""))


@view_defaults(context=INotesTool)
class NotesToolViews(NoteFormView):

    @view_config(page_cache=True, name="", request_method="GET", renderer="notes/tool.jinja2",
                 permission="read")
    def index(self):
        request, tool = self.request, self.context
        candidates = Note.query.find({"tool_id": tool.doc._id, "parent_path": "",
                                      "deleted": False}).sort("title", 1)
        page = readable_page(request, candidates, tool.note_resource,
                             page=page_number(request))
        return {"page": page, "may_create": request.can("create", tool),
                "may_admin": request.can("admin", tool)}

    @view_config(name="new", renderer="notes/form.jinja2", permission="create")
    def new(self):
        return self.new_note(None)

    @view_config(name="preview", request_method="POST", permission="create")
    def preview(self):
        return preview_response(self.request)


@view_defaults(context=INote)
class NoteViews(NoteFormView):

    @view_config(page_cache=True, name="", request_method="GET", renderer="notes/note.jinja2",
                 permission="read")
    def show(self):
        request, note = self.request, self.context
        doc = note.doc
        return {"note": note, "html": render_versioned(doc._id, doc.version, doc.text),
                "fields": shown_field_values(request, note.tool_node, doc),
                "children": readable_children(request, note),
                "may_create": request.can("create", note),
                "may_update": request.can("update", note),
                "may_admin": request.can("admin", note)}

    @view_config(name="new", renderer="notes/form.jinja2", permission="create")
    def new(self):
        return self.new_note(self.context.doc)

    @view_config(name="edit", renderer="notes/form.jinja2", permission="update")
    def edit(self):
        request, doc = self.request, self.context.doc
        form = NoteForm(request, self.tool)
        if request.method != "POST":
            form.fill_from(doc)
            return self.edit_page(form, doc.version)
        form.read(request.POST)
        try:
            edited_version = int(request.POST.get("version", ""))
        except ValueError:
            return self.edit_page(form, doc.version, status=400,
                                  error="The form did not say which version it edited; "
                                        "reload the page.")
        try:
            fields = form.clean()
            note, changed = update_note(request.registry, doc, edited_version, fields,
                                        request.user, comment=form.values["comment"].strip())
        except FieldErrors:
            return self.edit_page(form, edited_version, status=400,
                                  error="The note was not saved; see the messages below.")
        except StaleSave as error:
            return self.conflict(error, form)
        except ActionError as error:
            return self.edit_page(form, edited_version, status=error.status, error=str(error))
        request.session.flash("Saved version %d." % note.version if changed
                              else "Nothing changed.")
        return HTTPFound(location=request.forge_url(self.context))

    def edit_page(self, form, version, status=200, error=None, **extra):
        return self.form_page(form, "edit", status=status, error=error, version=version,
                              preview_url=self.request.forge_url(self.context, "@@preview"),
                              **extra)

    def conflict(self, error, form):
        """409: the core's conflict page, with everything the user typed."""
        mine = {key: value for key, value in form.values.items()
                if value and key not in ("name", "private")}
        return conflict_response(self.request, error, mine)

    @view_config(name="delete", request_method="POST", permission="delete")
    def delete(self):
        request, note = self.request, self.context
        delete_note(request.registry, note.doc, request.user)
        request.session.flash("Note “%s” deleted." % note.doc.title)
        return HTTPFound(location=request.forge_url(note.__parent__))

    @view_config(name="preview", request_method="POST", permission="update")
    def preview(self):
        return preview_response(self.request)


def preview_response(request):
    """The rendered HTML of posted Markdown: a fragment for the live preview."""
    text = request.POST.get("text", "")
    if len(text) > MAX_PREVIEW:
        return Response("<p class=\"field-error\">Too long to preview.</p>", status=400,
                        content_type="text/html", charset="utf-8")
    return Response(str(render_markdown(text)), content_type="text/html", charset="utf-8")
