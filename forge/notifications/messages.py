"""Composing notification mail: a request for link building, the words that
name a change, and the ``EmailMessage`` with its unsubscribe headers.

Reactors and the digest command run outside any web request, so
``mail_request`` builds one on ``forge.base_url`` (links are absolute, and
follow an embedding mount like every forge link).

Headers are built here only, from stored text made one line
(``forge.names.one_line``): a title stored before line separators were
refused still mails.  ``List-Unsubscribe`` is sent as the bare ``<URL>``,
folded before the URL when long but never encoded (RFC 2369 and 8058 readers
do not decode RFC 2047 words).
"""
import email.utils
import re
from urllib.parse import urlencode
from email.message import EmailMessage

from pyramid.renderers import render

from ..activity.reactor import excerpt
from ..names import one_line
from ..site_request import site_request
from .mailer import parsed_header
from .tokens import make_token

VERBS = {"created": "created", "updated": "changed", "deleted": "deleted",
         "approved": "new comment", "installed": "tool installed",
         "uninstalled": "tool removed"}


# every forge mail is built in a request on forge.base_url (absolute links)
mail_request = site_request


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
    elif detail.get("summary"):
        # a change its tool sums up itself (the code tool's push of N commits)
        what, text = detail["summary"], excerpt(detail.get("summary_text"), 1000)
    elif detail.get("attachments"):
        what = "attached %s" % ", ".join(detail["attachments"])
    elif verb == "created" and getattr(node, "kind", "") == "artifact":
        # a new ticket's or page's mail quotes its text, as a comment's does
        # (only readers of the artifact are mailed; none of it is in the event)
        what = VERBS[verb]
        text = excerpt(new_artifact_text(request.registry, node).strip(), 1000)
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


def new_artifact_text(registry, node):
    """The Markdown fields of a newly created artifact, as stored now."""
    doc = getattr(node, "doc", None)
    kind = getattr(registry, "forge_artifact_types", {}).get(getattr(doc, "type", None))
    return "" if kind is None else kind.markdown_text(doc)


def unsubscribe_url(request, user_id, target):
    """The one-click link of ``user_id``'s mail; the page's URL is built once
    per request (a change mails each watcher: a ``forge_url`` per mail was
    a tenth of the notify reactor's CPU), the query added as ``node_url``
    adds it."""
    token = make_token(request.registry.settings["forge.secret"], user_id, target)
    base = getattr(request, "forge_unsubscribe_base", None)
    if base is None:
        base = request.forge_url(request.root, "@@unsubscribe")
        request.forge_unsubscribe_base = base
    if "?" in base or "#" in base:
        return request.forge_url(request.root, "@@unsubscribe", query={"token": token})
    return base + "?" + urlencode({"token": token})


# visible ASCII only (no space, no control character), at most 990 characters
PRINTABLE_TOKEN = re.compile(r"[!-~]{0,990}")


class VerbatimHeader(str):
    """A header value the ``email`` package sends as it is: folded before the
    value when the line is long, never split nor RFC 2047-encoded (an encoded
    ``List-Unsubscribe`` is one mail providers cannot read).  Only for ASCII
    values without spaces, such as ``<https://...>``."""

    def __new__(cls, name, value):
        if not PRINTABLE_TOKEN.fullmatch(value):
            raise ValueError("%s: not a single ASCII token of at most 990 characters" % name)
        header = super().__new__(cls, value)
        header.name = name
        return header

    def fold(self, *, policy):
        """(``email.policy.EmailPolicy`` asks every value with a ``name`` this.)"""
        limit = policy.max_line_length or float("inf")
        separator = " " if len(self.name) + 2 + len(self) <= limit else policy.linesep + " "
        return "%s:%s%s%s" % (self.name, separator, self, policy.linesep)


def build_message(request, user, subject, template, values, unsubscribe, message_id=None,
                  thread=None, reply_to=None):
    """A text/plain message to ``user`` with RFC 8058 one-click unsubscribe.

    ``message_id``: its Message-ID (default: a new one); ``thread``: the
    Message-ID of the conversation it belongs to (``In-Reply-To`` and
    ``References``, so mail clients thread every mail about one artifact);
    ``reply_to``: the address a reply goes to (``forge.mail_in``)."""
    # the values one change shares between its watchers' mails are parsed once
    message = EmailMessage()
    message["To"] = email.utils.formataddr(
        (one_line(user.display_name or user.username), user.email))
    message["Subject"] = parsed_header("Subject", one_line(subject))
    message["Date"] = parsed_header("Date", email.utils.formatdate(localtime=False))
    message["Message-ID"] = message_id or email.utils.make_msgid(domain="pyforge")
    if thread:
        message["In-Reply-To"] = parsed_header("In-Reply-To", thread)
        message["References"] = parsed_header("References", thread)
    if reply_to:
        message["Reply-To"] = reply_to
    message["Auto-Submitted"] = parsed_header("Auto-Submitted", "auto-generated")
    message["List-Unsubscribe"] = VerbatimHeader("List-Unsubscribe", "<%s>" % unsubscribe)
    message["List-Unsubscribe-Post"] = parsed_header("List-Unsubscribe-Post",
                                                     "List-Unsubscribe=One-Click")
    values = dict(values, user=user, unsubscribe=unsubscribe, reply_to=reply_to)
    message.set_content(render(template, values, request=request))
    return message
