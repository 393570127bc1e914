"""How forums and threads are indexed (``forge.search``).

A thread's posts (its opening post included) are the core's comments, which
the search adds to the thread's text when visible; a thread whose opening
post waits for a moderator (``status`` other than "ok") is not indexed at
all, since its subject is shown only to its author and moderators."""
from .model import FORUM, THREAD


def forum_document(doc, node):
    return {"title": doc.title, "text": doc.description or ""}


def thread_document(doc, node):
    if (doc.status or "ok") != "ok":
        return None
    return {"title": doc.title, "text": "", "labels": list(doc.labels or ()),
            "fields": {"forum": doc.forum}}


def includeme(config):
    config.add_search_type(FORUM, forum_document)
    config.add_search_type(THREAD, thread_document)
