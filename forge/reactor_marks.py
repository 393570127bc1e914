"""What an idempotent reactor keeps so that handling an event twice does its
work once (the bus delivers at least once).

A reactor names each piece of work by a key (``{ticket id}:{sha}``) and keeps
one document per key in its own collection (a ``MappedClass`` whose ``_id``
is the key), recording each step once it is flushed.  ``mark_for`` loads that
document or makes a new one; ``post_containing`` finds the one step a mark
cannot cover: a comment flushed by a worker killed before it recorded it.
"""
from .discussion.actions import thread_for
from .discussion.model import Post
from .model.session import collection


def mark_for(model, key, **fields):
    """The stored ``model`` document of ``key``, or a new one (not yet
    flushed) with ``fields``."""
    mark = model.query.get(_id=key)
    return mark if mark is not None else model(_id=key, **fields)


def post_containing(artifact_doc, needle):
    """The id of a post in the artifact's comment thread whose text contains
    ``needle`` (say, the link to a commit), or None."""
    thread = thread_for(artifact_doc)
    if thread is None:
        return None
    for raw in collection(Post).find({"thread_id": thread._id}, {"text": 1}):
        if needle in (raw.get("text") or ""):
            return raw["_id"]
    return None
