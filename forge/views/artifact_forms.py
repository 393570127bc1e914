"""The new and edit forms of a tool's artifacts, and their live Markdown preview.

Every tool whose artifacts are typed in a form (notes, wiki pages, tickets)
answers ``@@new``, ``@@edit`` and ``@@preview`` the same way: a refused form
comes back with what the user typed and a 4xx status, a stale save is the
core's 409 conflict page, a saved one flashes and redirects, and the preview
is the posted Markdown rendered (and sanitised) server-side.  What differs is
the form, the action that saves, and how the Markdown is rendered.

An artifact type declared with ``config.add_artifact_type`` gets these pages
from ``forge.views.generic`` (built on this class) and writes none.  A tool
that keeps its own pages subclasses ``ArtifactFormView`` and gives its own
``view_config`` (names, renderers, permissions)::

    @view_defaults(context=IPage)
    class PageViews(ArtifactFormView):
        noun = "page"

        @view_config(name="edit", renderer="tools.wiki:templates/wiki/edit.jinja2",
                     permission="update")
        def edit(self):
            form = PageForm(self.request, self.tool)
            return self.edit_form(form, lambda fields, version: save_page(
                self.request.registry, self.context.doc, version, fields, self.request.user))

        @view_config(name="preview", request_method="POST", permission="update")
        def preview(self):
            return self.markdown_preview()

The form templates load ``forge:static/preview.js`` for the preview (see there).
"""
from pyramid.response import Response

from ..actions import ActionError
from ..actions.versions import StaleSave
from ..fields import FieldErrors
from ..redirects import redirect
from ..rendering import render_markdown
from .params import parse_int
from .versions import conflict_response

MAX_PREVIEW = 256 * 1024


class ArtifactFormView:
    """Views of a tool (``@@new``) or of one of its artifacts (``@@new``,
    ``@@edit``, ``@@preview``) that show an artifact form.

    The template gets ``form``, ``action`` ("new" or "edit"), ``error`` (the
    message above the form, or None), ``preview_url`` and, when editing,
    ``version`` (the version the user edits, posted back with the form).
    """

    #: the artifact in messages: "The note was not saved; ..."
    noun = "artifact"

    def __init__(self, context, request):
        self.context = context
        self.request = request

    @property
    def tool(self):
        return self.context.tool_node

    def form_page(self, form, action, status=200, error=None, **extra):
        """The form's template values; a new artifact previews at the tool,
        whose ``@@preview`` needs ``create`` there."""
        self.request.response.status_int = status
        page = {"form": form, "action": action, "error": error,
                "preview_url": self.request.forge_url(self.tool, "@@preview")}
        page.update(extra)
        return page

    def edit_page(self, form, version, status=200, error=None, **extra):
        """The edit form of ``self.context``, which previews at its own
        ``@@preview`` (``update`` on the artifact)."""
        return self.form_page(form, "edit", status=status, error=error, version=version,
                              preview_url=self.request.forge_url(self.context, "@@preview"),
                              **extra)

    @property
    def not_saved(self):
        """The message above a form whose fields did not pass (400)."""
        return "The %s was not saved; see the messages below." % self.noun

    def prefill(self, form):
        """Fill a new artifact's form before it is first shown (default: empty)."""

    def new_form(self, form, create):
        """``@@new``: GET shows ``form``; a POST reads it and calls
        ``create(form)``, which cleans the form, creates the artifact and
        returns (flash message, URL to go to), or raises ``FieldErrors`` or
        ``ActionError`` (the form comes back with the message)."""
        request = self.request
        if request.method != "POST":
            self.prefill(form)
            return self.form_page(form, "new")
        form.read(request.POST)
        try:
            message, location = create(form)
        except FieldErrors:
            return self.form_page(form, "new", status=400, error=self.not_saved)
        except ActionError as error:
            return self.form_page(form, "new", status=error.status, error=str(error))
        request.session.flash(message)
        return redirect(request, location)

    def edit_form(self, form, save):
        """``@@edit`` of ``self.context``: GET shows ``form`` filled from the
        artifact; a POST cleans it and calls ``save(fields, edited_version)``,
        which returns (the saved document, whether anything changed) or raises
        ``StaleSave`` (the 409 conflict page, with what the user typed) or
        ``ActionError``."""
        request, doc = self.request, self.context.doc
        if request.method != "POST":
            form.fill_from(doc)
            return self.edit_page(form, doc.version)
        form.read(request.POST)
        try:
            edited_version = parse_int(request.POST.get("version"), "version")
        except ValueError:
            return self.edit_page(form, doc.version, status=400,
                                  error="The form did not say which version it edited; "
                                        "reload the page.")
        try:
            saved, changed = save(form.clean(), edited_version)
        except FieldErrors:
            return self.edit_page(form, edited_version, status=400, error=self.not_saved)
        except StaleSave as error:
            return conflict_response(request, error, self.typed_back(form))
        except ActionError as error:
            return self.edit_page(form, edited_version, status=error.status, error=str(error))
        request.session.flash("Saved version %d." % saved.version if changed
                              else "Nothing changed.")
        return redirect(request, request.forge_url(self.context))

    def typed_back(self, form):
        """What the conflict page shows of the user's edit: every field typed,
        but the name and the private flag (an edit changes neither)."""
        return {key: value for key, value in form.values.items()
                if value and key not in ("name", "private")}

    def render_preview(self, text):
        """The HTML of previewed Markdown; a tool whose artifacts render with
        links overrides it."""
        return render_markdown(text)

    def markdown_preview(self):
        """``@@preview`` (POST ``text``): the rendered HTML, a fragment for the
        live preview; 400 for a text over ``MAX_PREVIEW`` characters."""
        text = self.request.POST.get("text", "")
        if len(text) > MAX_PREVIEW:
            return Response("<p class=\"field-error\">Too long to preview.</p>", status=400,
                            content_type="text/html", charset="utf-8")
        return Response(str(self.render_preview(text)), content_type="text/html",
                        charset="utf-8")
