"""``@@admin-import`` (site admins): import a project archive from the browser.

The form uploads an archive with the options of ``forge import`` (``--as``,
``--parent``, ``--users``); the archive is checked at once and the page shows
the dry run (what would be created) or the error naming the record (400,
nothing kept). Confirming hands the import to the worker; the page lists the
imports with their progress (``forge.archive.web_import``).
"""
from pyramid.view import view_config, view_defaults

from ..actions import ActionError
from ..archive.reader import ArchiveError
from ..archive.validate import USER_MODES
from ..archive.web_import import (check_upload, discard, import_options, recent_imports,
                                  remove_stale, start_import)
from ..interfaces import ISiteRoot
from ..redirects import redirect
from ..user_lookup import usernames

TEMPLATE = "forge:templates/site_admin/import.jinja2"
USER_MODE_LABELS = {
    "map": "refuse the import (match everyone by e-mail or name)",
    "create": "create their accounts",
    "placeholder": "create disabled placeholder accounts (they only name authors)",
}


@view_defaults(context=ISiteRoot, name="admin-import", permission="admin", renderer=TEMPLATE)
class ImportViews:
    def __init__(self, context, request):
        self.context = context
        self.request = request

    def page(self, error=None, status=200, form=None):
        self.request.response.status_int = status
        remove_stale(self.request.registry)
        imports = recent_imports()
        names = usernames(doc["user_id"] for doc in imports)
        return {"imports": imports, "names": names, "error": error,
                "form": form or {"as_path": "", "parent_path": "", "users": "map"},
                "user_modes": [(mode, USER_MODE_LABELS[mode]) for mode in USER_MODES],
                "busy": any(doc["status"] in ("queued", "running") for doc in imports)}

    @view_config(request_method="GET")
    def show(self):
        return self.page()

    @view_config(request_method="POST")
    def post(self):
        action = self.request.POST.get("action", "")
        if action == "check":
            return self.check()
        try:
            if action == "import":
                start_import(self.request.registry, self.request.user,
                             self.request.POST.get("import_id", "")[:64])
                message = "The import is queued; this page shows its progress."
            elif action == "discard":
                discard(self.request.registry, self.request.POST.get("import_id", "")[:64])
                message = "The checked archive was discarded."
            else:
                raise ActionError("Unknown action %r." % action[:40])
        except ActionError as error:
            return self.page(error=str(error), status=error.status)
        self.request.session.flash(message)
        return redirect(self.request, self.request.forge_url(self.context, "@@admin-import"))

    def check(self):
        post = self.request.POST
        form = {"as_path": post.get("as_path", "")[:300],
                "parent_path": post.get("parent_path", "")[:300],
                "users": post.get("users", "map")[:20]}
        # "attachment": the one field the forge takes files in (forge.upload_fields)
        upload = post.get("attachment")
        try:
            if not hasattr(upload, "file"):
                raise ActionError("Choose an archive file (a .zip made by forge export).")
            options = import_options(**form)
            checked = check_upload(self.request.registry, self.request.user,
                                   upload.filename, upload.file, options)
        except ActionError as error:
            return self.page(error=str(error), status=error.status, form=form)
        except ArchiveError as error:
            return self.page(error="The archive cannot be imported; nothing was written.\n%s"
                             % error, status=400, form=form)
        self.request.session.flash("The archive is valid: check what it would create, then "
                                   "import it.")
        return redirect(self.request, self.request.forge_url(
            self.context, "@@admin-import", anchor="import-%s" % checked["_id"]))
