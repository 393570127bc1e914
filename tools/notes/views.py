"""Pages of the notes tool: the tool's list, a note, and the forms.

Registered for ``INotesTool`` and ``INote`` only, so they never answer for
another tool.  Forms re-render with the user's input and a 4xx status when
refused; a stale save is a 409 that shows what changed meanwhile.
"""
from pyramid.view import view_config, view_defaults

from forge.api import (ArtifactFormView, page_number, readable_page, redirect, render_versioned,
                       shown_field_values)

from .actions import create_note, delete_note, update_note
from .forms import NoteForm
from .model import Note
from .resources import INote, INotesTool


def readable_children(request, note):
    return [child for child in note.children() if request.can("read", child)]


class NoteFormView(ArtifactFormView):
    """What the tool's and a note's ``@@new`` and ``@@preview`` share."""

    noun = "note"

    def new_note(self, parent_doc):
        request = self.request

        def create(form):
            fields = form.clean(with_name=True)
            note = create_note(request.registry, self.context.project.doc, self.tool.doc,
                               parent_doc, fields["name"], fields, request.user,
                               private=form.private, comment=form.values["comment"].strip())
            return ("Note “%s” created." % note.title,
                    request.forge_url(self.context, fields["name"], ""))
        return self.new_form(NoteForm(request, self.tool), create)


@view_defaults(context=INotesTool)
class NotesToolViews(NoteFormView):

    @view_config(page_cache=True, name="", request_method="GET", renderer="tools.notes:templates/notes/tool.jinja2",
                 permission="read")
    def index(self):
        request, tool = self.request, self.context
        candidates = Note.query.find({"tool_id": tool.doc._id, "parent_path": "",
                                      "deleted": False}).sort("title", 1)
        page = readable_page(request, candidates, tool.note_resource,
                             page=page_number(request))
        return {"page": page, "may_create": request.can("create", tool),
                "may_admin": request.can("admin", tool)}

    @view_config(name="new", renderer="tools.notes:templates/notes/form.jinja2", permission="create")
    def new(self):
        return self.new_note(None)

    @view_config(name="preview", request_method="POST", permission="create")
    def preview(self):
        return self.markdown_preview()


@view_defaults(context=INote)
class NoteViews(NoteFormView):

    @view_config(page_cache=True, name="", request_method="GET", renderer="tools.notes:templates/notes/note.jinja2",
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

    @view_config(name="new", renderer="tools.notes:templates/notes/form.jinja2", permission="create")
    def new(self):
        return self.new_note(self.context.doc)

    @view_config(name="edit", renderer="tools.notes:templates/notes/form.jinja2", permission="update")
    def edit(self):
        request = self.request
        form = NoteForm(request, self.tool)
        return self.edit_form(form, lambda fields, edited_version: update_note(
            request.registry, self.context.doc, edited_version, fields, request.user,
            comment=form.values["comment"].strip()))

    @view_config(name="delete", request_method="POST", permission="delete")
    def delete(self):
        request, note = self.request, self.context
        delete_note(request.registry, note.doc, request.user)
        request.session.flash("Note “%s” deleted." % note.doc.title)
        return redirect(request, request.forge_url(note.__parent__))

    @view_config(name="preview", request_method="POST", permission="update")
    def preview(self):
        return self.markdown_preview()

