"""Declared indexes whose options changed are dropped before they are made again.

``create_index`` cannot change an existing index: MongoDB refuses one with the
same keys and other options (``IndexOptionsConflict``), so a database made by
an older version would keep the old rule or fail to start.  ``user.email``
went from unique to unique *sparse* (accounts without a verified address have
no ``email``), and the next such change needs the same step: any index with
the keys of a declared one but another ``unique``/``sparse`` is dropped, and
``ensure_indexes`` then creates the declared one.

Not on the embedded server: nx-27017 lists no ``sparse`` (every sparse index
would look changed, and be dropped at every start), creates indexes "if not
exists" (no conflict), and its unique indexes skip missing fields as SQLite's
do, so an old index there already means what the new one says.
"""
import logging

from ming.odm import Mapper

log = logging.getLogger(__name__)

OPTIONS = ("unique", "sparse")


def declared_options():
    """collection name -> {key tuple: {"unique": bool, "sparse": bool}}."""
    declared = {}
    for mapper in Mapper.all_mappers():
        meta = mapper.collection.m
        if not meta.collection_name:
            continue
        keys = declared.setdefault(meta.collection_name, {})
        for index in meta.indexes:
            keys[tuple(field for field, _direction in index.index_spec)] = {
                name: bool(index.index_options.get(name)) for name in OPTIONS}
    return declared


def is_embedded_server(db):
    try:
        return db.client.admin.command("buildInfo").get("process") == "nx_27017"
    except Exception:          # a server that will not say is not the embedded one
        return False


def drop_changed_indexes(db):
    """Drop the indexes of ``db`` whose options differ from the declared ones;
    return their names as ``collection.index``."""
    dropped = []
    if is_embedded_server(db):
        return dropped
    for collection_name, declared in declared_options().items():
        existing = db[collection_name].index_information()
        for index_name, info in existing.items():
            keys = tuple(field for field, _direction in info.get("key", ()))
            wanted = declared.get(keys)
            if index_name == "_id_" or wanted is None:
                continue
            if any(bool(info.get(name)) != wanted[name] for name in OPTIONS):
                db[collection_name].drop_index(index_name)
                log.info("dropped index %s.%s: its options changed", collection_name,
                         index_name)
                dropped.append("%s.%s" % (collection_name, index_name))
    return dropped
