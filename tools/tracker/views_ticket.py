"""The pages of one ticket that differ from the core's generic ones.

The tracker's ``@@new`` and a ticket's ``@@edit`` and ``@@delete`` are the
core's (``forge.views.generic``, with ``TicketForm`` and ``TicketActions``);
here are the ticket page, ``@@status`` (the quick close/reopen) and
``@@preview`` with short links.  The ticket page shows one timeline: the
field changes read from consecutive snapshots, interleaved with the comment
thread's top-level posts (the core's ``forge.discussion``; each post with its
replies).
"""
from pyramid.view import view_config, view_defaults

from forge.api import (ActionError, StaleSave, TypedArtifactViews, conflict_response, history,
                       link_context, parse_int, redirect, render_markdown, render_versioned,
                       shown_field_values, thread_view, usernames)

from .actions import set_status, tracker_settings
from .resources import ITicket, ITrackerTool

# the fields a timeline entry names, in this order, with the words it uses
SHOWN_FIELDS = (("title", "summary"), ("status", "status"), ("assigned_to_id", "assigned to"),
                ("milestone", "milestone"), ("priority", "priority"))


# -- the timeline ----------------------------------------------------------------------

def field_changes(old, new, custom_labels, names):
    """Readable changes between two snapshots' data: [(what, before, after)] for
    single values and [(what, added, removed)] markers for labels."""
    changes = []
    for field, label in SHOWN_FIELDS:
        a, b = old.get(field), new.get(field)
        if (a or None) != (b or None):
            if field == "assigned_to_id":
                a, b = names.get(a, "") if a else "", names.get(b, "") if b else ""
            changes.append({"field": label, "old": a or "—", "new": b or "—"})
    if (old.get("description") or "") != (new.get("description") or ""):
        changes.append({"field": "description", "edited": True})
    old_labels, new_labels = list(old.get("labels") or ()), list(new.get("labels") or ())
    added = [x for x in new_labels if x not in old_labels]
    removed = [x for x in old_labels if x not in new_labels]
    if added or removed:
        changes.append({"field": "labels", "added": added, "removed": removed})
    old_custom, new_custom = old.get("custom") or {}, new.get("custom") or {}
    for name in sorted(set(old_custom) | set(new_custom)):
        a, b = old_custom.get(name), new_custom.get(name)
        if a != b and not (a in (None, "") and b in (None, "")):
            changes.append({"field": custom_labels.get(name, name),
                            "old": _shown(a), "new": _shown(b)})
    for plugin in sorted(set(old.get("ext") or {}) | set(new.get("ext") or {})):
        a = (old.get("ext") or {}).get(plugin) or {}
        b = (new.get("ext") or {}).get(plugin) or {}
        for name in sorted(set(a) | set(b)):
            if a.get(name) != b.get(name):
                changes.append({"field": "%s.%s" % (plugin, name), "old": _shown(a.get(name)),
                                "new": _shown(b.get(name))})
    return changes


def _shown(value):
    if value is None or value == "":
        return "—"
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return str(value)


def timeline(request, node, thread):
    """[{kind: "created"|"change"|"post", time, ...}] in time order."""
    doc = node.doc
    snapshots = list(reversed(history(doc)))
    ids = {s.author_id for s in snapshots}
    for s in snapshots:
        ids.add((s.data or {}).get("assigned_to_id"))
    names = usernames(i for i in ids if i)
    custom_labels = {spec.name: spec.label for spec in node.tool_node.custom_fields()}
    entries = []
    previous = None
    for snap in snapshots:
        author = names.get(snap.author_id, "system")
        if previous is None:
            entries.append({"kind": "created", "time": snap.timestamp, "author": author,
                            "version": snap.version})
        else:
            changes = field_changes(previous.data or {}, snap.data or {}, custom_labels, names)
            if changes or (snap.comment or "").strip():
                entries.append({"kind": "change", "time": snap.timestamp, "author": author,
                                "version": snap.version, "changes": changes,
                                "comment": snap.comment})
        previous = snap
    if thread is not None:
        for item in thread.tree:
            entries.append({"kind": "post", "time": item.post.created, "item": item})
    entries.sort(key=lambda e: e["time"])
    return entries


# -- views ---------------------------------------------------------------------------

@view_defaults(context=ITicket)
class TicketViews(TypedArtifactViews):

    @view_config(page_cache=True, name="", request_method="GET", permission="read",
                 renderer="tools.tracker:templates/tracker/ticket.jinja2")
    def show(self):
        request, node = self.request, self.context
        doc = node.doc
        thread = thread_view(request, node)
        options = tracker_settings(node.tool_node.doc)
        people = usernames([doc.reporter_id or doc.author_id, doc.assigned_to_id])
        return {
            "ticket": node, "doc": doc, "html": render_versioned(
                doc._id, doc.version, doc.description, links=link_context(request, node)),
            "fields": shown_field_values(request, node.tool_node, doc),
            "timeline": timeline(request, node, thread), "thread": thread,
            "reporter": people.get(doc.reporter_id or doc.author_id, "system"),
            "assignee": people.get(doc.assigned_to_id) if doc.assigned_to_id else None,
            "may_update": request.can("update", node), "may_delete": request.can("delete", node),
            "may_admin": request.can("admin", node),
            "close_to": options.closed_states[0], "reopen_to": options.open_states[0],
            "statuses": options.states,
        }

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
