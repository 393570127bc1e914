"""The discussion tool's auditor on its posts.

A thread whose opening post waits for a moderator (or was held as spam) is
hidden from everyone but moderators and its author; so is replying to it.
Moderators' posts come marked ``trusted`` and pass.
"""
from forge.api import Rejected, collection

from .model import THREAD, ForumThread


def no_replies_to_hidden_threads(change):
    detail = change.detail
    if detail.get("trusted") or not detail.get("artifact_id"):
        return
    thread = collection(ForumThread).find_one({"_id": detail["artifact_id"]},
                                              {"type": 1, "status": 1, "author_id": 1})
    if thread is None or thread.get("type") != THREAD or thread.get("status", "ok") == "ok":
        return
    actor = change.actor
    if actor is not None and actor._id == thread.get("author_id"):
        return
    raise Rejected("This thread waits for a moderator; it takes no replies yet.", status=403)
