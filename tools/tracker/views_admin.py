"""``@@admin`` of a tracker: states, priorities, milestones, default assignee,
the list's extra columns and the tracker-wide saved searches.

One page of small forms, each posting ``form=<name>``; a refused form comes
back with its message and what was typed, status 400.  Custom fields are the
core's ``@@fields`` page and who may create tickets is the tool's ACL
(``@@permissions``); the page links to both.
"""
from pyramid.view import view_config, view_defaults

from forge.api import ActionError, form_version, redirect

from . import admin_actions as actions
from .config import tracker_options
from .resources import ITrackerTool
from .views_list import check_query_for

# each form posts form=<name>; the method <name> ("-" as "_") handles it
FORMS = ("states", "priorities", "assignee", "columns", "add-milestone", "edit-milestone",
         "add-search", "remove-search")


@view_defaults(context=ITrackerTool, name="admin", permission="admin",
               renderer="tools.tracker:templates/tracker/admin.jinja2")
class TrackerAdminView:
    def __init__(self, context, request):
        self.context = context
        self.request = request

    def page(self, form=None, values=None, error=None, status=200):
        self.request.response.status_int = status
        options = tracker_options(self.context.doc)
        # every form carries the settings version it showed; a page shown again
        # after an error keeps the one the user edited (a stale form stays a 409)
        version = self.request.POST.get("version", "") if form else \
            (self.context.doc.version or 0)
        return {"tool": self.context, "options": options, "version": version,
                "custom_fields": self.context.custom_fields(), "error": error,
                "error_form": form, "values": values or {}}

    @view_config(request_method="GET")
    def show(self):
        return self.page()

    @view_config(request_method="POST")
    def submit(self):
        request, post = self.request, self.request.POST
        form = post.get("form", "")
        values = {key: post.get(key, "") for key in post if key != "csrf_token"}
        if form not in FORMS:
            return self.page(error="The form was not recognised; reload the page.", status=400)
        try:
            message = getattr(self, form.replace("-", "_"))(post, form_version(post))
        except ActionError as error:
            return self.page(form=form, values=values, error=str(error), status=error.status)
        request.session.flash(message)
        return redirect(request, request.forge_url(self.context, "@@admin"))

    # each form's handler: (post, version) -> flash message; raises ActionError

    def states(self, post, version):
        actions.set_states(self.request.registry, self.context.doc, post.get("open_states"),
                           post.get("closed_states"), self.request.user, version=version)
        return "Saved the states."

    def priorities(self, post, version):
        actions.set_priorities(self.request.registry, self.context.doc,
                               post.get("priorities"), post.get("default_priority"),
                               self.request.user, version=version)
        return "Saved the priorities."

    def assignee(self, post, version):
        actions.set_default_assignee(self.request.registry, self.context.doc,
                                     post.get("default_assignee"), self.request.user,
                                     version=version)
        return "Saved the default assignee."

    def columns(self, post, version):
        actions.set_list_columns(self.request.registry, self.context.doc,
                                 post.getall("column"), self.request.user, version=version)
        return "Saved the list's columns."

    def add_milestone(self, post, version):
        milestone = actions.add_milestone(self.request.registry, self.context.doc,
                                          post.get("name"), post.get("due"),
                                          post.get("description"), self.request.user,
                                          version=version)
        return "Added the milestone “%s”." % milestone.name

    def edit_milestone(self, post, version):
        closed = {"close": True, "reopen": False}.get(post.get("action"))
        due = post.get("due") if "due" in post else None
        milestone = actions.update_milestone(self.request.registry, self.context.doc,
                                             post.get("name"), self.request.user, due=due,
                                             closed=closed, version=version)
        return "Saved the milestone “%s”." % milestone.name

    def add_search(self, post, version):
        actions.add_tracker_search(self.request.registry, self.context.doc, post.get("name"),
                                   post.get("query"), self.request.user,
                                   check_query_for(self.request, self.context), version=version)
        return "Added the saved search."

    def remove_search(self, post, version):
        actions.remove_tracker_search(self.request.registry, self.context.doc,
                                      post.get("name"), self.request.user, version=version)
        return "Removed the saved search."
