"""The event of mail in."""
from ..events import ForgeEvent


class MailReceived(ForgeEvent):
    """``mail.received``: a message was accepted and applied.  Its auditors
    (``config.add_auditor("mail.received", fn)``) see ``change.new`` =
    {"subject", "text", "attachments"} and the detail (``kind`` reply|new,
    ``recipient``, ``sender``, ``project_id``, ``tool_id``, ``artifact_id``)
    before anything is saved: they may change the text or refuse the message
    (``Rejected``: a 550 with its message).  The node is the ``InboundMail``."""

    topic = "mail.received"
