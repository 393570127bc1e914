"""The views of ``@@export`` (see ``forge.archive.web``)."""
from pyramid.httpexceptions import HTTPNotFound
from pyramid.response import FileResponse
from pyramid.view import view_config, view_defaults

from ..interfaces import IProject
from ..model import Project
from ..model.session import collection, utcnow
from ..redirects import redirect
from ..unit_of_work import change
from .web import archive_path, remove_expired
from .web_model import ArchiveExport, ExportRequested


@view_defaults(context=IProject, permission="admin")
class ExportViews:
    def __init__(self, context, request):
        self.context = context
        self.request = request

    def own_exports(self):
        user_id = self.request.user._id
        remove_expired(self.request.registry, self.context.doc._id, user_id)
        return sorted(collection(ArchiveExport).find(
            {"project_id": self.context.doc._id, "user_id": user_id}),
            key=lambda doc: doc["created"], reverse=True)

    @view_config(name="export", request_method="GET",
                 renderer="forge.archive:templates/export.jinja2")
    def page(self):
        return {"project": self.context, "exports": self.own_exports()}

    @view_config(name="export", request_method="POST")
    def request_export(self):
        with change(self.request.registry, ExportRequested, node=None,
                    node_type=ArchiveExport, actor=self.request.user, new={},
                    source="web") as unit:
            unit.node = ArchiveExport(project_id=self.context.doc._id,
                                      user_id=self.request.user._id)
            unit.log("project.export", "asked for an export of the project",
                     project_id=self.context.doc._id)
        self.request.session.flash("The export is being made; this page offers it when "
                                   "it is ready.")
        return redirect(self.request, self.request.forge_url(self.context, "@@export"))

    @view_config(name="export-download", request_method="GET")
    def download(self):
        """Only the admin who asked, only while it is ready and not expired."""
        self.own_exports()
        doc = collection(ArchiveExport).find_one({
            "_id": self.request.GET.get("id", "")[:64], "project_id": self.context.doc._id,
            "user_id": self.request.user._id, "status": "ready"})
        if doc is None or doc["expires"] <= utcnow():
            raise HTTPNotFound()
        project = collection(Project).find_one({"_id": doc["project_id"]})
        response = FileResponse(archive_path(self.request.registry, doc["_id"]),
                                 request=self.request, content_type="application/zip")
        name = "%s-%s.zip" % (project["shortname"].replace("/", "-"),
                              doc["finished"].strftime("%Y%m%d-%H%M"))
        response.content_disposition = 'attachment; filename="%s"' % name
        response.cache_control = "private, no-store"
        return response
