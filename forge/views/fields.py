"""``@@fields`` of any tool: the project admin's list of its custom fields."""
from pyramid.view import view_config, view_defaults

from ..actions import ActionError
from ..actions.fields import add_custom_field, remove_custom_field
from ..fields import FIELD_TYPES
from ..interfaces import ITool
from ..redirects import redirect
from ..unit_of_work import form_version

MAX_OPTIONS_TEXT = 10000


@view_defaults(context=ITool, name="fields", renderer="forge:templates/fields/admin.jinja2",
               permission="admin")
class ToolFieldsView:
    def __init__(self, context, request):
        self.context = context
        self.request = request

    def page(self, new=None, error=None, status=200):
        self.request.response.status_int = status
        return {"tool": self.context, "fields": self.context.custom_fields(),
                "types": FIELD_TYPES, "error": error,
                "new": new or {"name": "", "label": "", "type": "string", "required": "",
                               "options": ""}}

    @view_config(request_method="GET")
    def show(self):
        return self.page()

    @view_config(request_method="POST", request_param="form=add")
    def add(self):
        post = self.request.POST
        new = {key: post.get(key, "") for key in ("name", "label", "type", "required",
                                                  "options")}
        try:
            if len(new["options"]) > MAX_OPTIONS_TEXT:
                raise ActionError("The options may be at most %d characters in all."
                                  % MAX_OPTIONS_TEXT)
            spec = add_custom_field(self.request.registry, self.context.doc, new["name"],
                                    new["label"], new["type"], self.request.user,
                                    required=bool(new["required"]),
                                    options=new["options"].splitlines(),
                                    version=form_version(post))
        except ActionError as error:
            return self.page(new=new, error=str(error), status=error.status)
        return self.back("Added the field “%s”." % spec.label)

    @view_config(request_method="POST", request_param="form=remove")
    def remove(self):
        name = self.request.POST.get("name", "")
        try:
            remove_custom_field(self.request.registry, self.context.doc, name,
                                self.request.user, version=form_version(self.request.POST))
        except ActionError as error:
            return self.page(error=str(error), status=error.status)
        return self.back("Removed the field “%s”." % name)

    @view_config(request_method="POST")
    def unknown_form(self):
        return self.page(error="The form was not recognised; reload the page.", status=400)

    def back(self, message):
        self.request.session.flash(message)
        return redirect(self.request, self.request.forge_url(self.context, "@@fields"))
