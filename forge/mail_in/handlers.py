"""Tool addresses: which tool takes new artifacts by mail, and how.

``config.add_mail_handler(tool, handler)`` (a directive; two handlers for one
tool are a configuration conflict) gives the tool type ``tool`` an address
per instance, ``MOUNT.PROJECT@DOMAIN``.  A tool takes mail only when it says
so: a tool type without a handler has no address (550 at ``RCPT TO``).

``handler(mail)`` gets a ``ToolMail`` (the registry, the tool's resource, the
sender's ``User`` and principals, the subject, the text and the attachments
as uploads) and returns ``(node, post)``: the resource it created and the
opening post, if it made one (else None).  It runs inside the ``mail.received``
unit of work, after its auditors; it checks the sender's permissions itself
(``mail.can(permission, node)``) and raises ``ActionError`` to refuse
(the SMTP answer is a 550 with its message; nothing is saved).

``new_artifact_by_mail`` is the generic handler, for a tool whose artifacts
are a declared type (``config.add_artifact_type``): the tool's addable type,
its declared form filled with the subject as the title and the text as its
first Markdown field, validated like the web form, created through the
type's actions; the sender needs ``create`` on the tool.  Example::

    from forge.api import new_artifact_by_mail

    def includeme(config):
        ...
        config.add_mail_handler("notes", new_artifact_by_mail)

A tool whose new artifacts are made differently (a forum thread with its
opening post, a ticket with its number) passes its own function.

``config.add_mail_comments(tool)`` gives each artifact of the tool type
``tool`` an address, ``MOUNT.PROJECT+ID@DOMAIN``, whose mail becomes a
comment on it (the core's ``add_post``, as for a reply): the wiki's pages.
It needs no handler, and a tool may have both.
"""
from dataclasses import dataclass, field

from ..actions import ActionError
from ..artifact_actions import create_artifact
from ..attachments.actions import attach_files
from ..fields import FieldErrors
from ..forms import MarkdownField, TextField
from ..security import can

MAX_NAME_TRIES = 20


@dataclass
class ToolMail:
    """One message to a tool address, as a handler sees it."""
    registry: object
    request: object             # a request on forge.base_url (links, templates)
    tool: object                # the tool instance's resource
    user: object                # the sender's User (a verified address)
    principals: list
    subject: str
    text: str
    uploads: list = field(default_factory=list)   # [(filename, fileobj, content_type)]
    source: str = "mail"

    def can(self, permission, node=None):
        """Whether the sender has ``permission`` on ``node`` (default: the tool)."""
        return can(node if node is not None else self.tool, self.principals, permission)


class MailHandlers(dict):
    """Tool type name -> handler, kept on the registry."""


class MailComments(set):
    """Tool type names whose artifacts take comments by mail (on the registry)."""


def add_mail_handler(config, tool, handler):
    """Let the tool type ``tool`` take mail (see the module docstring)."""
    handler = config.maybe_dotted(handler)

    def register():
        config.registry.forge_mail_handlers[tool] = handler

    intr = config.introspectable("forge mail handlers", tool, tool, "forge mail handler")
    intr["handler"] = handler
    config.action(("forge.mail_handler", tool), register, introspectables=(intr,))


def add_mail_comments(config, tool):
    """Let the artifacts of tool type ``tool`` take comments by mail."""
    def register():
        config.registry.forge_mail_comments.add(tool)

    intr = config.introspectable("forge mail comments", tool, tool, "forge mail comments")
    config.action(("forge.mail_comments", tool), register, introspectables=(intr,))


def first_text_field(form):
    return next((f.name for f in form.fields if isinstance(f, (MarkdownField, TextField))),
                None)


def free_name(kind, tool_doc, name):
    """``name``, or ``name-2``, ``name-3``...: the first not taken in the tool."""
    candidate = name
    for number in range(2, MAX_NAME_TRIES + 2):
        if kind.model.query.get(tool_id=tool_doc._id, path=candidate) is None:
            return candidate
        candidate = "%s-%d" % (name, number)
    raise ActionError("There are too many pages named %r already; give the mail "
                      "another subject." % name)


def new_artifact_by_mail(mail):
    """The generic handler: a new artifact of the tool's declared type."""
    tool = mail.tool
    kind = mail.registry.forge_artifact_types.addable_in(tool.tool_type.name)
    if kind is None:
        raise ActionError("This tool takes no mail.")
    if not mail.can("create"):
        raise ActionError("You may not create a %s here." % kind.noun)
    form = kind.form(mail.request, tool, kind)
    values = {"title": mail.subject, "comment": "by e-mail"}
    text_field = first_text_field(form)
    if text_field:
        values[text_field] = mail.text
    form.read(values)
    try:
        fields = form.clean()
    except FieldErrors as errors:
        raise ActionError("The %s was not created: %s" % (kind.noun, errors))
    # a type without a name field (numbered tickets) names its artifacts itself
    name = free_name(kind, tool.doc, fields["name"]) if fields.get("name") else None
    doc = create_artifact(mail.registry, kind.model, tool.project.doc, tool.doc, None, name,
                          fields, mail.user, comment="by e-mail", source=mail.source)
    if mail.uploads:
        attach_files(mail.registry, doc, mail.uploads, mail.user, source=mail.source)
    return kind.node(doc, tool), None


def includeme(config):
    # included by forge.plugins (for tools) and by forge.mail_in: the first one counts
    if getattr(config.registry, "forge_mail_handlers", None) is not None:
        return
    config.registry.forge_mail_handlers = MailHandlers()
    config.registry.forge_mail_comments = MailComments()
    config.add_directive("add_mail_handler", add_mail_handler, action_wrap=False)
    config.add_directive("add_mail_comments", add_mail_comments, action_wrap=False)
