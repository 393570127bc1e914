"""Mail to ``discussion.PROJECT@DOMAIN`` (``forge.mail_in``) starts a thread."""
from forge.api import ActionError

from .actions import create_thread
from .model import FORUM, Forum


def new_thread_by_mail(mail):
    """``discussion.PROJECT@``: a new thread in the forum called "general", or
    else the first forum by title the sender may start threads in."""
    tool, kinds = mail.tool, mail.registry.forge_artifact_types
    docs = Forum.query.find({"tool_id": tool.doc._id, "type": FORUM, "deleted": False}
                            ).sort("title", 1)
    forums = sorted((kinds.of(doc).node(doc, tool) for doc in docs),
                    key=lambda node: node.doc.path != "general")
    forum = next((node for node in forums if mail.can("create", node)), None)
    if forum is None:
        raise ActionError("There is no forum here you may start a thread in.")
    return create_thread(mail.registry, forum, mail.subject, mail.text, mail.user,
                         uploads=mail.uploads, source=mail.source,
                         may_skip_moderation=mail.can("unmoderated_post", forum),
                         trusted=mail.can("moderate", forum))
