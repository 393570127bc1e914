"""The hook admin pages, on a project and on a tool instance (``admin``):

* ``@@webhooks``: the hooks registered here, and the form to add one;
* ``@@webhook?id=``: one hook, its delivery log (latest first, each attempt's
  status code or error) with "Redeliver", pause/resume and remove.
"""
import datetime
import secrets

from pyramid.httpexceptions import HTTPNotFound
from pyramid.view import view_config

from ..actions import ActionError
from ..interfaces import IProject, ITool
from ..redirects import redirect
from .actions import (attempts_of, create_hook, deliveries_of, delete_hook, hooks_of, mark_for_redelivery,
                      restore_state, set_active)
from .model import Webhook
from .redelivery import BusUnavailable, requeue

TEMPLATES = "forge.webhooks:templates/"


def node_facts(context):
    """``(project doc, tool doc or None, is_tool)`` of a hook page's context."""
    if ITool.providedBy(context):
        return context.project.doc, context.doc, True
    return context.doc, None, False


def when(epoch):
    return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc) if epoch else None


def hook_on(context, request):
    """The hook ``?id=`` registered on exactly this project or tool, else 404."""
    project_doc, tool_doc, _is_tool = node_facts(context)
    hook_id = request.params.get("id", "")
    hook = Webhook.query.get(_id=hook_id, project_id=project_doc._id,
                             tool_id=tool_doc._id if tool_doc is not None else None) \
        if hook_id else None
    if hook is None:
        raise HTTPNotFound("There is no such webhook here.")
    return hook


def back(request, context, message, view="@@webhooks", **query):
    request.session.flash(message)
    return redirect(request, request.forge_url(context, view, query=query or None))


@view_config(context=IProject, name="webhooks", permission="admin",
             renderer=TEMPLATES + "list.jinja2")
@view_config(context=ITool, name="webhooks", permission="admin",
             renderer=TEMPLATES + "list.jinja2")
def hook_list(context, request):
    project_doc, tool_doc, is_tool = node_facts(context)
    form, error = {"url": "", "topics": "", "secret": secrets.token_urlsafe(24)}, None
    if request.method == "POST":
        form = {key: request.POST.get(key, "") for key in ("url", "topics", "secret")}
        try:
            hook = create_hook(request.registry, request.registry.forge_webhook_settings,
                               project_doc, tool_doc, form["url"], form["topics"],
                               form["secret"], request.user)
        except ActionError as refused:
            request.response.status_int = refused.status
            error = str(refused)
        else:
            return back(request, context, "The webhook for %s is added." % hook.url,
                        "@@webhook", id=hook._id)
    tools = [] if is_tool else [tool for tool in context.tools()
                                if request.can("admin", tool)]
    return {"node": context, "is_tool": is_tool, "form": form, "error": error,
            "hooks": hooks_of(tool_doc or project_doc, tool=is_tool), "tools": tools,
            "nav_project": context.project}


def hook_page(context, request, hook, error=None):
    recent = deliveries_of(hook)
    attempts = attempts_of(recent)
    deliveries = [{"_id": d._id, "topic": d.topic, "state": d.state, "event_id": d.event_id,
                   "created": when(d.created),
                   "attempts": [{"at": when(a.at), "status": a.status, "error": a.error,
                                 "seconds": a.seconds} for a in attempts[d._id]]}
                  for d in recent]
    return {"node": context, "hook": hook, "deliveries": deliveries, "error": error,
            "nav_project": context.project}


@view_config(context=IProject, name="webhook", permission="admin", request_method="GET",
             renderer=TEMPLATES + "hook.jinja2")
@view_config(context=ITool, name="webhook", permission="admin", request_method="GET",
             renderer=TEMPLATES + "hook.jinja2")
def show_hook(context, request):
    return hook_page(context, request, hook_on(context, request))


@view_config(context=IProject, name="webhook", permission="admin", request_method="POST",
             renderer=TEMPLATES + "hook.jinja2")
@view_config(context=ITool, name="webhook", permission="admin", request_method="POST",
             renderer=TEMPLATES + "hook.jinja2")
def change_hook(context, request):
    hook = hook_on(context, request)
    project_doc, tool_doc, _is_tool = node_facts(context)
    node_doc = tool_doc or project_doc
    action = request.POST.get("action", "")
    try:
        if action == "redeliver":
            redeliver(request.registry, hook, request.POST.get("delivery", ""))
            return back(request, context, "The delivery is sent again.", "@@webhook",
                        id=hook._id)
        if action in ("pause", "resume"):
            set_active(request.registry, node_doc, hook, action == "resume", request.user)
            return back(request, context, "The webhook is %s." % (
                "resumed" if action == "resume" else "paused"), "@@webhook", id=hook._id)
        if action == "delete":
            delete_hook(request.registry, node_doc, hook, request.user)
            return back(request, context, "The webhook for %s is removed." % hook.url)
        raise ActionError("Unknown action.")
    except ActionError as refused:
        request.response.status_int = refused.status
        return hook_page(context, request, hook, error=str(refused))


def redeliver(registry, hook, delivery_id):
    delivery, before = mark_for_redelivery(hook, delivery_id)
    try:
        requeue(registry, delivery)
    except BusUnavailable:
        restore_state(delivery, before)
        error = ActionError("The message bus did not answer; nothing was sent. Try again "
                            "later.")
        error.status = 503
        raise error
