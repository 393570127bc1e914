"""Composing notification mail: a request for link building, the words that
name a change, and the ``EmailMessage`` with its unsubscribe headers.

Reactors and the digest command run outside any web request, so
``mail_request`` builds one on ``forge.base_url`` (links are absolute, and
follow an embedding mount like every forge link).
"""
import contextlib
import email.utils
from email.message import EmailMessage

from pyramid.renderers import render
from pyramid.request import Request
from pyramid.scripting import prepare

from ..activity.reactor import excerpt
from .tokens import make_token

VERBS = {"created": "created", "updated": "changed", "deleted": "deleted",
         "approved": "new comment", "installed": "tool installed",
         "uninstalled": "tool removed"}


@contextlib.contextmanager
def mail_request(registry):
    """A request on ``forge.base_url`` with the forge's root and request methods."""
    request = Request.blank("/", base_url=registry.settings["forge.base_url"].rstrip("/"))
    env = prepare(request=request, registry=registry)
    env["request"].root = env["root"]
    try:
        yield env["request"]
    finally:
        env["closer"]()


def describe(request, event, node, post=None):
    """What the mail says about one change: subject line, one-line summary,
    link, and an excerpt of the new text when there is one."""
    verb = event["topic"].rsplit(".", 1)[-1]
    detail = event.get("detail") or {}
    title = node.title or node.__name__
    url = request.forge_url(node)
    text = ""
    if post is not None:
        what = "new comment"
        url += "#post-%s" % post["_id"]
        title = "Re: %s" % title
        text = excerpt(post.get("text"), 1000)
    elif detail.get("attachments"):
        what = "attached %s" % ", ".join(detail["attachments"])
    elif verb == "updated" and detail.get("fields"):
        what = "changed %s" % ", ".join(str(f) for f in detail["fields"][:8])
    elif event.get("node_type") == "Project" and verb == "created":
        what = "new project"
    else:
        what = VERBS.get(verb, verb)
    project = node.project
    prefix = "[%s] " % project.title if project is not None and project is not node else ""
    return {"subject": "%s%s: %s" % (prefix, title, what), "title": title, "what": what,
            "url": url, "text": text, "kind": getattr(node, "kind", "")}


def unsubscribe_url(request, user_id, target):
    token = make_token(request.registry.settings["forge.secret"], user_id, target)
    return request.forge_url(request.root, "@@unsubscribe", query={"token": token})


def build_message(request, user, subject, template, values, unsubscribe):
    """A text/plain message to ``user`` with RFC 8058 one-click unsubscribe."""
    message = EmailMessage()
    message["To"] = email.utils.formataddr((user.display_name or user.username, user.email))
    message["Subject"] = subject
    message["Date"] = email.utils.formatdate(localtime=False)
    message["Message-ID"] = email.utils.make_msgid(domain="pyforge")
    message["Auto-Submitted"] = "auto-generated"
    message["List-Unsubscribe"] = "<%s>" % unsubscribe
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    values = dict(values, user=user, unsubscribe=unsubscribe)
    message.set_content(render(template, values, request=request))
    return message
