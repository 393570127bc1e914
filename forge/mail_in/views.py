"""``@@mail-in`` of a tool that takes mail: its addresses, its mail policy
(for the tool's admins) and the messages held for a moderator (for those
who may moderate it or admin it).  GET never writes; every POST is CSRF
checked by the forge's default and answers a refusal with its 4xx page."""
from pyramid.httpexceptions import HTTPForbidden, HTTPNotFound
from pyramid.view import view_config, view_defaults

from ..actions import ActionError
from ..interfaces import ITool
from ..redirects import redirect
from ..unit_of_work import form_version
from .addresses import tool_address
from .held import PAGE, approve_held, discard_held, held_messages
from .policy import POLICIES, mail_policy, set_mail_policy

TEMPLATE = "forge:mail_in/templates/tool.jinja2"


def takes_mail(registry, tool_doc):
    return tool_doc.tool in registry.forge_mail_handlers or \
        tool_doc.tool in registry.forge_mail_comments


@view_defaults(context=ITool, name="mail-in", renderer=TEMPLATE, permission="read")
class ToolMailView:
    def __init__(self, context, request):
        self.context = context
        self.request = request
        settings = request.registry.settings
        if not settings.get("forge.mail_in.domain") or \
                not takes_mail(request.registry, context.doc):
            raise HTTPNotFound()
        self.may_admin = request.can("admin", context)
        self.may_moderate = self.may_admin or request.can("moderate", context)
        if not self.may_moderate:
            raise HTTPForbidden()

    def page(self, error=None, status=200):
        request, tool = self.request, self.context
        request.response.status_int = status
        takes_new = tool.doc.tool in request.registry.forge_mail_handlers
        held = held_messages(tool.doc, limit=PAGE + 1)      # one more: are there more?
        return {"tool": tool, "policy": mail_policy(tool.doc), "policies": POLICIES,
                "address": tool_address(request.registry.settings,
                                        tool.project.doc.shortname, tool.doc.mount)
                if takes_new else None,
                "comments": tool.doc.tool in request.registry.forge_mail_comments,
                # a tool whose items take no comments (notes) gets no reply address
                "replies": "post" in tool.permission_names(),
                "held": held[:PAGE], "held_more": len(held) > PAGE,
                "may_admin": self.may_admin,
                "error": error}

    @view_config(request_method="GET")
    def show(self):
        return self.page()

    @view_config(request_method="POST", request_param="form=policy")
    def set_policy(self):
        if not self.may_admin:
            raise HTTPForbidden()
        post = self.request.POST
        try:
            changed = set_mail_policy(self.request.registry, self.context.doc,
                                      post.get("policy", ""), self.request.user,
                                      version=form_version(post))
        except ActionError as error:
            return self.page(error=str(error), status=error.status)
        return self.back("Mail policy: %s." % self.context.doc.options["mail_in"]
                         if changed else "Nothing changed.")

    @view_config(request_method="POST", request_param="form=approve")
    def approve(self):
        try:
            node = approve_held(self.request, self.context, self.request.POST.get("id", ""),
                                self.request.user)
        except ActionError as error:
            return self.page(error=str(error), status=error.status)
        return self.back("Approved: “%s” is created." % (getattr(node.doc, "title", "")
                                                        or node.__name__))

    @view_config(request_method="POST", request_param="form=discard")
    def discard(self):
        try:
            discard_held(self.request.registry, self.context, self.request.POST.get("id", ""),
                         self.request.user)
        except ActionError as error:
            return self.page(error=str(error), status=error.status)
        return self.back("Discarded.")

    def back(self, message):
        self.request.session.flash(message)
        return redirect(self.request, self.request.forge_url(self.context, "@@mail-in"))
