"""The pages of one ticket that differ from the core's generic ones.

The tracker's ``@@new`` and a ticket's ``@@edit`` and ``@@delete`` are the
core's (``forge.views.generic``, with ``TicketForm`` and ``TicketActions``);
here are the ticket page, ``@@status`` (the quick close/reopen) and
``@@preview`` with short links.  The ticket page shows one timeline, the
core's ``forge.api.timeline``: the field changes read from consecutive
snapshots, interleaved with the comment thread's top-level posts.
"""
from markupsafe import Markup
from pyramid.renderers import render
from pyramid.view import view_config, view_defaults

from forge.api import (ActionError, StaleSave, TypedArtifactViews, conflict_response,
                       link_context, parse_int, redirect, render_markdown, render_versioned,
                       reader_cached, shown_field_values, thread_view, timeline, people,
                       SYSTEM_PERSON, verdict_cached)

from .actions import set_status, tracker_settings
from .model import shown_ticket
from .resources import ITicket, ITrackerTool


def kept_page(request, node):
    """The page's content (all but the site's chrome) as HTML, kept per
    reader while nothing is written (``reader_cached``: its forms carry the
    reader's CSRF token, its buttons their permissions, the watch button
    whether they watch) under the page's URL, which names the ticket and
    where its links point: a reader's next views render none of it."""
    return reader_cached(request, ("ticket-page", node._doc._id, request.path_url),
                         lambda: Markup(render(CONTENT, page_values(request, node), request)))


def page_values(request, node):
    # read as stored: the page changes nothing (no Ming objects to build)
    doc = shown_ticket(node)
    options = tracker_settings(node.tool_node._doc)
    known = people([doc.reporter_id or doc.author_id, doc.assigned_to_id])
    return {
        "ticket": node, "doc": doc, "html": render_versioned(
            doc._id, doc.version, doc.description, links=link_context(request, node)),
        "fields": shown_field_values(request, node.tool_node, doc),
        "timeline_html": kept_timeline(request, node),
        "reporter": known.get(doc.reporter_id or doc.author_id, SYSTEM_PERSON),
        "assignee": known.get(doc.assigned_to_id) if doc.assigned_to_id else None,
        "may_update": request.can("update", node), "may_delete": request.can("delete", node),
        "may_admin": request.can("admin", node),
        "close_to": options.closed_states[0], "reopen_to": options.open_states[0],
        "statuses": options.states,
    }


def kept_timeline(request, node):
    """The ticket's timeline and comment form as HTML, kept once for every
    reader who may do the same there (``verdict_cached`` under the thread's
    ``verdicts()``: a session's first view renders no post another reader
    like them has seen) under the page's URL, with this reader's CSRF token
    put in its forms."""
    thread = thread_view(request, node, shared=True)

    def load():
        return Markup(render(TIMELINE, {"timeline": timeline(request, node, thread),
                                        "ticket": node, "thread": thread}, request))
    return verdict_cached(request, ("ticket-timeline", node._doc._id, request.path_url),
                          thread.verdicts, load)


CONTENT = "tools.tracker:templates/tracker/_ticket.jinja2"
TIMELINE = "tools.tracker:templates/tracker/_timeline.jinja2"


@view_defaults(context=ITicket)
class TicketViews(TypedArtifactViews):

    @view_config(page_cache=True, name="", request_method="GET", permission="read",
                 renderer="tools.tracker:templates/tracker/ticket.jinja2")
    def show(self):
        return {"ticket": self.context, "content": kept_page(self.request, self.context)}

    @view_config(name="status", request_method="POST", permission="update")
    def status(self):
        """Close, reopen, or any status, from the ticket page."""
        request, doc = self.request, self.context.doc
        try:
            edited_version = parse_int(request.POST.get("version"), "version")
        except ValueError:
            raise ActionError("The form did not say which version it changed; reload the page.")
        status = request.POST.get("status", "").strip()
        comment = request.POST.get("comment", "").strip()[:500]
        try:
            ticket, changed = set_status(request.registry, doc, edited_version, status,
                                         request.user, comment=comment)
        except StaleSave as error:
            return conflict_response(request, error, {"status": status})
        request.session.flash("Status: %s." % ticket.status if changed else "Nothing changed.")
        return redirect(request, request.forge_url(self.context))

    @view_config(name="preview", request_method="POST", permission="update")
    @view_config(context=ITrackerTool, name="preview", request_method="POST", permission="create")
    def preview(self):
        return self.markdown_preview()

    def render_preview(self, text):
        # [#12] and other short links resolve as on the ticket page
        return render_markdown(text, links=link_context(self.request, self.context))
