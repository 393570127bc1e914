"""``@@admin`` of a repository (the tool's ``admin`` permission): default
branch, protected branches, import from a git bundle (empty repository only)
and deleting the contents, each a small form posting ``form=<name>``.

A refused form comes back with its message and what was typed, with the
status of the refusal (400, or 409 for a stale settings form).  The rename of
the mount point and the permissions are the core's (``@@tools``,
``@@permissions``); the page links to them.
"""
from pyramid.view import view_config, view_defaults

from forge.api import ActionError, form_version, redirect

from . import admin_actions as actions
from .protected import protected_patterns
from .repository import Repository
from .resources import ICodeTool
from .smart_http import repository_of

TEMPLATE = "tools.code:templates/code/admin.jinja2"


@view_defaults(context=ICodeTool, name="admin", renderer=TEMPLATE, permission="admin")
class CodeAdminView:
    def __init__(self, context, request):
        self.context, self.request = context, request
        self.path = repository_of(request, context)

    def page(self, form=None, values=None, error=None, status=200):
        self.request.response.status_int = status
        repo = Repository(self.path)
        version = self.request.POST.get("version", "") if form else (self.context.doc.version or 0)
        return {"tool": self.context, "version": version, "error": error, "error_form": form,
                "values": values or {},
                "branches": [name for kind, name, *_ in repo.refs() if kind == "heads"],
                "default_branch": repo.default_branch(), "empty": repo.is_empty(),
                "protected": protected_patterns(self.context.doc)}

    @view_config(request_method="GET")
    def show(self):
        return self.page()

    @view_config(request_method="POST")
    def submit(self):
        post = self.request.POST
        form = post.get("form", "")
        handler = {"default-branch": self.default_branch, "protected": self.protected,
                   "import": self.import_bundle, "delete": self.delete}.get(form)
        if handler is None:
            return self.page(error="The form was not recognised; reload the page.", status=400)
        values = {key: post[key] for key in ("branch", "protected", "confirm")
                  if isinstance(post.get(key), str)}
        try:
            message = handler(post)
        except ActionError as error:
            return self.page(form=form, values=values, error=str(error), status=error.status)
        self.request.session.flash(message)
        return redirect(self.request, self.request.forge_url(self.context, "@@admin"))

    # each handler: post -> the flash message; raises ActionError

    def default_branch(self, post):
        branch = post.get("branch", "")
        changed = actions.set_default_branch(self.request.registry, self.context.doc, self.path,
                                             branch, self.request.user, form_version(post))
        return "The default branch is %s." % branch if changed else "Nothing changed."

    def protected(self, post):
        changed = actions.set_protected_branches(self.request.registry, self.context.doc,
                                                 post.get("protected", ""), self.request.user,
                                                 form_version(post))
        return "Saved the protected branches." if changed else "Nothing changed."

    def import_bundle(self, post):
        upload = post.get("attachment")
        if upload is None or isinstance(upload, str) or not getattr(upload, "file", None):
            raise ActionError("Choose a bundle file to import.")
        count = actions.import_bundle(self.request.registry, self.context.doc, self.path,
                                      upload.file, self.request.user)
        return "Imported the bundle: %d commit(s)." % count

    def delete(self, post):
        actions.delete_contents(self.request.registry, self.context.doc, self.path,
                                post.get("confirm", ""), self.request.user)
        return "Deleted the repository's contents; it is empty now."
