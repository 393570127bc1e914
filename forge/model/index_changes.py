"""Declared indexes whose options changed are dropped before they are made again.

``create_index`` cannot change an existing index: MongoDB refuses one with the
same keys and other options (``IndexOptionsConflict``), so a database made by
an older version would keep the old rule or fail to start.  ``user.email``
went from unique to unique *sparse* (accounts without a verified address have
no ``email``), and the next such change needs the same step: any index with
the keys of a declared one but another ``unique``/``sparse`` is dropped, and
``ensure_indexes`` then creates the declared one.
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


def drop_changed_indexes(db):
    """Drop the indexes of ``db`` whose options differ from the declared ones;
    return their names as ``collection.index``."""
    dropped = []
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
