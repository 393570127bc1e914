"""Stored documents read like their Ming class, without building the Ming object.

Building a Ming object copies the document and validates every field: for
twenty posts that cost more than the rest of a ticket page together, and for
a ticket, a wiki page or a forum thread a tenth to a sixth of its page's own
work.  A page that only reads a document reads the stored one through a
``StoredFields`` subclass instead; the subclass names, in ``DEFAULTS``, what
its Ming class gives a field the stored document lacks (written before the
field existed).  Read-only: the stored document may be shared by every
request of the process (the tree cache, ``stored_artifacts``).
"""
from .resources.tool import RawArtifact


class StoredFields:
    """A stored document's fields as attributes; missing ones read as
    ``DEFAULTS``, then raise ``AttributeError`` as a Ming object would."""

    __slots__ = ("raw",)
    DEFAULTS = {}

    def __init__(self, raw):
        self.raw = raw

    def __getattr__(self, name):
        try:
            return self.raw[name]
        except KeyError:
            if name in self.DEFAULTS:
                return self.DEFAULTS[name]
            raise AttributeError(name) from None


def shown_as(view, node):
    """What a page reads of ``node``'s artifact: ``view`` (a ``StoredFields``
    subclass) over the stored document, or the Ming object when this request
    already built it (it may hold a change not yet saved)."""
    doc = node._doc
    return view(doc.raw) if isinstance(doc, RawArtifact) else doc
