"""Mail handlers the tests plug in through ``forge.tools``, as a tool would in
its own ``includeme``: notes and tickets take mail through the core's generic handler,
the discussion tool through its own (a thread with its opening post).

(Until the tools register these themselves: see the mail-in report.)
"""
from forge.api import ActionError, new_artifact_by_mail
from tools.discussion.actions import create_thread
from tools.discussion.model import FORUM, Forum


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


def test_auditor(change):
    """A ``mail.received`` auditor: refuses a marker word, else marks the text."""
    from forge.api import Rejected
    if "FORBIDDEN-WORD" in change.new["text"]:
        raise Rejected("No forbidden words, please.", status=422)
    if "Fine words" in change.new["text"]:
        change.new["text"] += "\n\n(checked by the test auditor)"


def includeme(config):
    config.add_mail_handler("notes", new_artifact_by_mail)
    config.add_mail_handler("tracker", new_artifact_by_mail)
    config.add_mail_handler("discussion", new_thread_by_mail)
    config.add_auditor("mail.received", test_auditor)
