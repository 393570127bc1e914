"""The tracker's ticket list (its index page), saved searches and bulk edit.

The list runs a query (``tools.tracker.query``) through the core's
``query_page``: indexed Mongo queries in display order, the tickets the viewer
may read kept *before* paging (a private ticket changes neither counts nor
where pages break), the total when it is free (the last page) or on request
(``count=1``, capped at ``COUNT_CAP``); otherwise the page says "page N".

Bulk edit is the core's ``bulk_edit``: each selected ticket is changed
through the tracker's own ``update_ticket`` (one snapshot and one event per
ticket) after ``read`` and ``update`` are checked on it; tickets it may not
change are listed, not skipped.
"""
from dataclasses import dataclass, replace

from markupsafe import Markup
from pyramid.renderers import render
from pyramid.view import view_config, view_defaults

from forge.api import (COUNT_CAP, ActionError, User, bulk_edit, collection, page_number,
                       generation_cached, parse_labels, query_page, readable_match,
                       reader_cached, redirect, selected_numbers, usernames)

from .actions import update_ticket
from .config import checked, tracker_options
from .forms import TicketForm
from .model import Ticket
from .query import TICKET_QUERIES, QueryContext, QueryError, compile_query, parse
from .resources import ITrackerTool
from .searches import delete_search, personal_searches, save_search

LIST = "tools.tracker:templates/tracker/list.jinja2"
CONTENT = "tools.tracker:templates/tracker/_list.jinja2"
TABLE = "tools.tracker:templates/tracker/list_table.jinja2"
PAGER = "tools.tracker:templates/tracker/list_pager.jinja2"
DEFAULT_QUERY = "is:open"
COLUMNS = (("number", "#"), ("summary", "Summary"), ("status", "Status"),
           ("assigned_to", "Assignee"), ("milestone", "Milestone"),
           ("priority", "Priority"), ("labels", "Labels"), ("modified", "Modified"))


def user_id_of(username):
    user = User.by_username(username)
    return user._id if user is not None else None


def query_context(request, tool):
    return QueryContext(tracker_options(tool._doc), tool.custom_fields(),
                        me=request.user._id if request.user else None, user_id=user_id_of)


def compile_text(request, tool, text):
    return compile_query(parse(text), tool._doc._id, query_context(request, tool))


@dataclass
class Row:
    node: object
    raw: dict
    assignee: str = ""
    milestone_url: str = ""

    def __getattr__(self, name):
        try:
            return self.raw[name]
        except KeyError:
            raise AttributeError(name) from None

    def custom(self, name):
        return (self.raw.get("custom") or {}).get(name)


def run_list(request, tool, text, page=1, count=False):
    """(rows, Page, total or None) of query ``text``; raises QueryError."""
    result, total = query_page(
        request, collection(Ticket), compile_text(request, tool, text),
        tool.ticket_resource, page=page, count=count,
        # what the read check and the query's residual checks read
        count_projection={"acl": 1, "path": 1, "number": 1, "title": 1, "labels": 1,
                          "custom": 1, "tool_id": 1})
    names = usernames(node._doc.raw.get("assigned_to_id") for node in result.items)
    # a milestone's page address once per milestone, not once per row
    milestones = {}
    for node in result.items:
        name = node._doc.raw.get("milestone")
        if name and name not in milestones:
            milestones[name] = request.forge_url(tool, "@@milestone", name)
    rows = [Row(node, node._doc.raw, names.get(node._doc.raw.get("assigned_to_id"), ""),
                milestones.get(node._doc.raw.get("milestone"), ""))
            for node in result.items]
    return rows, result, total


@dataclass(frozen=True)
class ListPage:
    """What the list page shows of a query's page: its rendered table (None
    when no ticket matches), where it is, the total when known, and its
    rendered pager (links to the pages around it)."""
    table: Markup | None
    page: int
    has_next: bool
    total: int | None
    pager: Markup = Markup("")


def reader_permissions(request):
    """What decides which tickets a reader sees and may select: the user (site
    admins are answered by the policy before any ACL) and their principals
    (roles, token scope markers); not the session, the table has no form token."""
    user = request.user
    return (user._id if user is not None else None, tuple(request.principals))


def rendered_list(request, tool, text, page, count, selectable, custom_columns):
    """The ``ListPage`` of query ``text``, run and rendered once per content
    generation and reader permission set (``forge.fragments``): while nothing is
    written, the same reader asking again costs no query and no row rendering.
    Raises QueryError."""
    key = ("tracker.list", tool._doc._id, text, page, count, selectable,
           request.application_url, reader_permissions(request))

    def load():
        rows, result, total = run_list(request, tool, text, page, count=count)
        table = Markup(render(TABLE, {
            "rows": rows, "columns": COLUMNS, "custom_columns": custom_columns,
            "selectable": selectable,
            "sort_link": lambda key: TICKET_QUERIES.with_sort(text, key)},
            request=request)) if rows else None
        listed = ListPage(table, result.page, result.has_next, total)
        return replace(listed, pager=Markup(render(PAGER, {
            "page": listed, "q": text, "total": total, "count_cap": COUNT_CAP},
            request=request)))
    return generation_cached(request, key, load)


def saved_searches_of(request, tool):
    """The reader's saved searches (plain dicts), kept per generation."""
    if request.user is None:
        return []
    return generation_cached(
        request, ("tracker.searches", tool._doc._id, request.user._id),
        lambda: [{"_id": s._id, "name": s.name, "text": s.text}
                 for s in personal_searches(tool._doc._id, request.user)])


def check_query_for(request, tool):
    def check(text):
        try:
            compile_text(request, tool, text)
        except QueryError as error:
            raise ValueError("The query cannot run: %s" % error) from None
    return check


class RejectedQuery(Exception):
    """A query that cannot run: its page's content (with the message), never
    kept (``kept_content`` raises it out of the store)."""

    def __init__(self, content):
        super().__init__()
        self.content = content


def kept_content(request, tool, text):
    """The list page's content (all but the site's chrome) as HTML, kept per
    reader while nothing is written (``reader_cached``: its forms carry the
    reader's CSRF token, its tabs their saved searches, its buttons their
    permissions, the table the tickets they may read) under the page's URL
    (where its links point), the query, the page and whether all are counted:
    a reader's next views run no query and render none of it.  Raises
    ``RejectedQuery`` for a query that cannot run."""
    page, count = page_number(request), request.GET.get("count") == "1"

    def load():
        values = TicketListViews(tool, request).content_values(text)
        content = Markup(render(CONTENT, values, request=request))
        if values["error"] is not None:
            raise RejectedQuery(content)
        return content
    return reader_cached(request, ("tracker.list-page", tool._doc._id, request.path_url,
                                   text, page, count), load)


@view_defaults(context=ITrackerTool)
class TicketListViews:
    def __init__(self, context, request):
        self.context = context
        self.request = request

    @property
    def options(self):
        # the tool as stored (``StoredTool``): reading its options builds no
        # Ming object, a tenth of the list page's own work
        return tracker_options(self.context._doc)

    def list_page(self, text, status=200, error=None, bulk_result=None):
        """The page of query ``text``: its content kept per reader
        (``kept_content``) unless it answers a form (an error or a bulk
        edit's outcome to show)."""
        request = self.request
        if error is None and bulk_result is None:
            try:
                content = kept_content(request, self.context, text)
            except RejectedQuery as rejected:
                content, status = rejected.content, 400
        else:
            values = self.content_values(text, error=error, bulk_result=bulk_result)
            content = Markup(render(CONTENT, values, request=request))
        request.response.status_int = status
        return {"tool": self.context, "content": content}

    def content_values(self, text, error=None, bulk_result=None):
        """What ``_list.jinja2`` shows; ``error`` is set to the query's own
        error when it cannot run."""
        request, tool = self.request, self.context
        options = self.options
        specs = {spec.name: spec for spec in tool.custom_fields()}
        custom_columns = [specs[n] for n in options.list_columns if n in specs]
        may_bulk = request.user is not None and request.can("update", tool)
        listed = None
        if error is None:
            try:
                listed = rendered_list(request, tool, text, page_number(request),
                                       request.GET.get("count") == "1", may_bulk,
                                       custom_columns)
            except QueryError as e:
                error = str(e)
        return {
            "tool": tool, "q": text, "error": error, "page": listed,
            "table": listed.table if listed else None,
            "total": listed.total if listed else None, "count_cap": COUNT_CAP,
            "tracker_searches": options.saved_searches,
            "personal_searches": saved_searches_of(request, tool),
            "options": options, "bulk_result": bulk_result,
            "may_create": request.can("create", tool),
            "may_bulk": may_bulk,
            "may_admin": request.can("admin", tool),
        }

    @view_config(page_cache=True, name="", request_method="GET", renderer=LIST, permission="read")
    def index(self):
        text = self.request.GET.get("q")
        return self.list_page(DEFAULT_QUERY if text is None else text.strip())

    # -- personal saved searches ---------------------------------------------------

    @view_config(name="save-search", request_method="POST", renderer=LIST, permission="read")
    def save_search(self):
        request, tool = self.request, self.context
        post = request.POST
        text = post.get("q", "").strip()
        try:
            save_search(request.registry, tool.doc, request.user, post.get("name", ""), text,
                        check_query_for(request, tool))
        except ActionError as error:
            return self.list_page(text, status=error.status if request.user else 403,
                                  error=str(error))
        request.session.flash("Saved the search “%s”." % " ".join(post.get("name", "").split()))
        return redirect(request, request.forge_url(tool, query={"q": text}))

    @view_config(name="delete-search", request_method="POST", renderer=LIST, permission="read")
    def delete_search(self):
        request, tool = self.request, self.context
        try:
            delete_search(request.registry, tool.doc, request.user, request.POST.get("id"))
        except ActionError as error:
            return self.list_page(DEFAULT_QUERY, status=error.status, error=str(error))
        request.session.flash("Deleted the saved search.")
        return redirect(request, request.forge_url(tool))

    # -- bulk edit -------------------------------------------------------------------

    @view_config(name="bulk", request_method="POST", renderer=LIST, permission="read")
    def bulk(self):
        request, tool = self.request, self.context
        post = request.POST
        text = post.get("q", "").strip()
        if request.user is None:
            return self.list_page(text, status=403, error="Sign in to change tickets.")
        try:
            numbers = selected_numbers(post.getall("ticket"), "ticket")
            changes, labels_add, labels_remove = bulk_changes(request, tool, post)
        except ActionError as error:
            return self.list_page(text, status=error.status, error=str(error))
        comment = " ".join(post.get("comment", "").split())[:500] or "bulk edit"

        def change_one(doc):
            ticket_changes = dict(changes)
            if labels_add or labels_remove:
                labels = [label for label in doc.labels or () if label not in labels_remove]
                ticket_changes["labels"] = labels + [
                    label for label in labels_add if label not in labels]
            return update_ticket(request.registry, doc, doc.version, ticket_changes,
                                 request.user, comment=comment)
        outcome = bulk_edit(request, tool, Ticket, numbers, change_one, "ticket")
        if outcome.refused:
            return self.list_page(text, status=200, bulk_result=outcome)
        request.session.flash(outcome.summary(lambda number: "#%d" % number))
        return redirect(request, request.forge_url(tool, query={"q": text}))


def bulk_changes(request, tool, post):
    """(changes, labels to add, labels to remove) from the bulk form, cleaned by
    the ticket form's own fields; empty means "leave as it is", "-" clears the
    milestone or the assignee."""
    form = TicketForm(request, tool, request.registry.forge_artifact_types.of(Ticket), True)
    changes = {}
    for field in (form.status, form.priority, form.milestone, form.assigned_to):
        raw = post.get(field.name, "").strip()
        if raw:
            clear = raw == "-" and field in (form.milestone, form.assigned_to)
            changes[field.attr] = checked(field.clean, "" if clear else raw, form)
    labels_add = checked(parse_labels, post.get("add_labels", ""))
    labels_remove = checked(parse_labels, post.get("remove_labels", ""))
    if not changes and not labels_add and not labels_remove:
        raise ActionError("Choose at least one change to make.")
    return changes, labels_add, labels_remove


# -- milestones ------------------------------------------------------------------------

@dataclass
class Progress:
    closed: int = 0
    total: int = 0

    @property
    def percent(self):
        return int(100 * self.closed / self.total) if self.total else 0


def milestone_progress(request, tool, name):
    """Closed and total tickets of a milestone that the viewer may read.

    One indexed equality (tool_id, deleted, milestone) walked with a projection
    of what the read check and the count need; not ``count_documents``, which
    scans on the embedded server and could not skip private tickets anyway."""
    progress = Progress()
    cursor = collection(Ticket).find(
        {"tool_id": tool.doc._id, "deleted": False, "milestone": name},
        {"acl": 1, "closed": 1, "path": 1, "tool_id": 1})
    for raw in cursor:
        if readable_match(request, tool.ticket_resource, raw) is not None:
            progress.total += 1
            progress.closed += bool(raw.get("closed"))
    return progress


def overdue(milestone, progress, today):
    return bool(milestone.due and not milestone.closed and milestone.due < today
                and progress.closed < progress.total)


@view_config(page_cache=True, context=ITrackerTool, name="milestones", request_method="GET",
             renderer="tools.tracker:templates/tracker/milestones.jinja2", permission="read")
def milestones_page(context, request):
    import datetime
    today = datetime.date.today().isoformat()
    items = []
    for milestone in tracker_options(context.doc).milestones:
        progress = milestone_progress(request, context, milestone.name)
        items.append({"milestone": milestone, "progress": progress,
                      "overdue": overdue(milestone, progress, today)})
    return {"tool": context, "open": [i for i in items if not i["milestone"].closed],
            "closed": [i for i in items if i["milestone"].closed],
            "may_admin": request.can("admin", context)}


@view_config(page_cache=True, context=ITrackerTool, name="milestone", request_method="GET",
             renderer="tools.tracker:templates/tracker/milestone.jinja2", permission="read")
def milestone_page(context, request):
    import datetime
    from pyramid.httpexceptions import HTTPNotFound
    from forge.api import render_markdown
    name = "/".join(request.subpath)
    milestone = tracker_options(context.doc).milestone(name)
    if milestone is None:
        raise HTTPNotFound("There is no milestone named %r." % name[:80])
    text = 'milestone:"%s" sort:status' % name
    rows, result, total = run_list(request, context, text, page_number(request))
    progress = milestone_progress(request, context, name)
    specs = {spec.name: spec for spec in context.custom_fields()}
    return {"tool": context, "milestone": milestone, "progress": progress,
            "description": render_markdown(milestone.description),
            "overdue": overdue(milestone, progress, datetime.date.today().isoformat()),
            "rows": rows, "page": result, "total": total, "q": text, "count_cap": COUNT_CAP,
            "columns": COLUMNS, "custom_columns": [
                specs[n] for n in tracker_options(context.doc).list_columns if n in specs],
            "may_admin": request.can("admin", context)}
