"""New ids for an import without a table of them.

An import gives every record a new id. Keeping old → new in a dict costs
memory in step with the archive (a quarter of the import's peak RSS at
120,000 records), so the new id is derived: a keyed hash (HMAC-SHA-256 under
a key made for this import) of the old one. An ObjectId keeps its first 8
hex digits (its creation second: ids still sort by time) and gets 16 derived
ones; a 32-digit id (events, files) gets 32. Two imports of one archive get
different ids; a collision is as likely as one of random 64-bit values.
Only the ids that become existing documents (people matched to accounts,
roles of the new parent) are kept, in ``fixed``; the last ids derived are
cached (a bounded LRU: a ticket's snapshots and posts name it again and
again, and so do all records their project, tool and authors).
"""
import functools
import hashlib
import hmac
import secrets

from .records import ID_TOKEN, remap

# ~200 bytes an entry: a few MB whatever the archive's size
DERIVED_CACHE = 16384


class IdMap:
    """``get(old)``: the new id of an id of the archive, else the default."""

    def __init__(self):
        self.key = secrets.token_bytes(32)
        self.kind_of = {}       # every id of the archive → the kind of its record
        self.fixed = {}         # ids that become existing documents' ids
        self.derived = functools.lru_cache(maxsize=DERIVED_CACHE)(self._derive)

    def _derive(self, old):
        digest = hmac.new(self.key, old.encode("ascii"), hashlib.sha256).hexdigest()
        return old[:8] + digest[:16] if len(old) == 24 else digest[:32]

    def get(self, token, default=None):
        if token in self.fixed:
            return self.fixed[token]
        if token in self.kind_of and ID_TOKEN.fullmatch(token):
            return self.derived(token)
        return default

    def __getitem__(self, token):
        new = self.get(token)
        if new is None:
            raise KeyError(token)
        return new

    def __contains__(self, token):
        return self.get(token) is not None

    def keys(self):
        return [k for k in self.kind_of if ID_TOKEN.fullmatch(k)] + list(self.fixed)

    def record_id(self, old):
        """The new ``_id`` of a record: derived, or a composite key (a watch's
        ``USER:NODE``) with each id in it replaced."""
        return remap(old, self)
