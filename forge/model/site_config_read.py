"""The read every request makes: the site's document and the generations
(``forge.model.cache``), in one query of ``site_config``."""

GENERATIONS_KEY = "generations"
PAGE_COUNTERS = ("tree", "content")     # the pair every page key is made of


class Generations(tuple):
    """The (tree, content) pair, as every caller compares, unpacks and keys
    by it, which also carries the counters of the classes that have a
    generation of their own (``forge.model.cache.own_generation``, such as
    ``watches``): ``of(name)``.  Those need no place in a page's key, since
    every write of them moves ``content`` too; equality and hashing are the
    pair's."""

    def __new__(cls, tree, content, own=None):
        pair = super().__new__(cls, (tree, content))
        pair.own = dict(own or {})
        return pair

    def __getnewargs__(self):
        return self[0], self[1], self.own

    def of(self, name):
        """The counter ``name`` (0 until a write first moved it)."""
        return self.own.get(name, 0)


def read_site_config(db):
    """The site's raw document (or None) and its ``Generations``, in one query."""
    site, counters = None, None
    for raw in _find_site_config(db, {"key": {"$in": ["site", GENERATIONS_KEY]}}):
        if raw["key"] == GENERATIONS_KEY:
            counters = raw
        else:
            site = raw
    return site, _generations(counters)


_last_collection = (None, None)


def _find_site_config(db, query):
    """``db["site_config"].find(query)`` (at most the two documents a unique
    index allows) as one ``find`` command with a single batch: every request
    makes this read, and pymongo's cursor around the same command costs a
    tenth of a millisecond more.  Ming's in-memory database (the unit tests)
    has no ``find`` command: a cursor there."""
    global _last_collection
    last_db, collection = _last_collection
    if last_db is not db:
        collection = db["site_config"]
        _last_collection = (db, collection)
    if not type(db).__module__.startswith("pymongo."):
        return collection.find(query)
    reply = db.command({"find": collection.name, "filter": query, "singleBatch": True},
                       read_preference=collection.read_preference,
                       codec_options=collection.codec_options)
    return reply["cursor"]["firstBatch"]


def current_generations(db):
    """The (tree, content) pair now (the page cache's check: no other counter)."""
    return _generations(db["site_config"].find_one({"key": GENERATIONS_KEY},
                                                   {"tree": 1, "content": 1}))


def all_generations(db):
    """Every counter now, as ``read_site_config`` gives them."""
    return _generations(db["site_config"].find_one({"key": GENERATIONS_KEY}))


def _generations(counters):
    counters = counters or {}
    own = {name: value for name, value in counters.items()
           if name not in PAGE_COUNTERS and isinstance(value, int)}
    return Generations(counters.get("tree", 0), counters.get("content", 0), own)
