"""Who may mail a tool: its mail policy (``ToolInstance.options["mail_in"]``).

* ``verified`` (the default): mail to the tool's address, and to its
  artifacts' addresses, is applied when it comes from the verified address
  of an account that may do what it asks;
* ``moderated``: the same senders, but nothing shows before a moderator
  looks: a new artifact waits as a held message (``forge.mail_in.held``)
  until someone with ``moderate`` on the tool approves it, a comment is a
  held post (the comment threads' own moderation);
* ``refused``: the tool takes no mail at its addresses: 550 at ``RCPT TO``.

Replies to notifications (``reply+TOKEN@``) are not the tool's addresses:
the signed token, not the From, names the user, and the thread's own
moderation applies to them.

Changed by ``set_mail_policy`` (``set_tool_options``: the tool's auditors,
the settings version, the audit log, ``project.tool.updated``), from the
tool's ``@@mail-in`` page (``forge.mail_in.views``).
"""
from ..actions import ActionError
from ..actions.tool_options import set_tool_options

OPTION = "mail_in"
VERIFIED, MODERATED, REFUSED = "verified", "moderated", "refused"
POLICIES = {
    VERIFIED: "Applied when it comes from the verified address of an account "
              "that may do what it asks",
    MODERATED: "From the same senders, but held until a moderator approves it",
    REFUSED: "Refused: this tool takes no mail",
}


def mail_policy(tool_doc):
    """The tool's policy (an unknown stored value counts as the default)."""
    value = (tool_doc.options or {}).get(OPTION)
    return value if value in POLICIES else VERIFIED


def set_mail_policy(registry, tool_doc, policy, actor, version=None):
    """Set the policy; False when it was already that (nothing written)."""
    if policy not in POLICIES:
        raise ActionError("Choose one of: %s." % ", ".join(POLICIES))
    return set_tool_options(registry, tool_doc, {OPTION: policy}, actor, "mail_policy",
                            "mail to the tool: %s" % policy, version=version)
