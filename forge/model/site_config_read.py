"""The read every request makes: the site's document and the (tree, content)
generations (``forge.model.cache``), in one query of ``site_config``."""

GENERATIONS_KEY = "generations"


def read_site_config(db):
    """The site's raw document (or None) and the (tree, content) generations,
    in one query."""
    site, counters = None, None
    for raw in _find_site_config(db, {"key": {"$in": ["site", GENERATIONS_KEY]}}):
        if raw["key"] == GENERATIONS_KEY:
            counters = raw
        else:
            site = raw
    return site, _pair(counters)


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
    return _pair(db["site_config"].find_one({"key": GENERATIONS_KEY}, {"tree": 1, "content": 1}))


def _pair(counters):
    counters = counters or {}
    return counters.get("tree", 0), counters.get("content", 0)
